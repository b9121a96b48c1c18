package io.github.grpcmiddleware.reliability;

import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * SimpleService with all four RPC kinds. Each request's text names the identity the caller expects
 * the server to see ({@code traceId:principal:locale}); every callback records what the handler
 * actually sees (MDC and Context) and logs one line naming the expected identity, so cross-talk
 * shows up as a mismatch in either.
 */
final class ProbeService extends SimpleServiceGrpc.SimpleServiceImplBase {
  static final String LOGGER = ProbeService.class.getName();
  static final int STREAMED = 3;
  private static final Logger logger = LoggerFactory.getLogger(ProbeService.class);

  /** What one handler callback saw. */
  record Observation(
      String expected,
      @Nullable String mdcTraceId,
      @Nullable String contextTraceId,
      @Nullable String mdcPrincipal,
      @Nullable String mdcLocale) {

    /** The identity this callback saw, in the request's {@code traceId:principal:locale} form. */
    String seen() {
      return mdcTraceId + ":" + mdcPrincipal + ":" + mdcLocale;
    }

    boolean consistent() {
      return expected.equals(seen()) && expected.startsWith(contextTraceId + ":");
    }
  }

  final List<Observation> observations = new CopyOnWriteArrayList<>();

  private void observe(String kind, SimpleRequest request) {
    String expected = request.getRequestMessage();
    observations.add(
        new Observation(
            expected,
            MDC.get("traceId"),
            TraceIds.current(),
            MDC.get("principal"),
            MDC.get("locale")));
    logger.info("probe {} for {}", kind, expected);
  }

  private static SimpleResponse reply(SimpleRequest request) {
    return SimpleResponse.newBuilder().setResponseMessage(request.getRequestMessage()).build();
  }

  @Override
  public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responseObserver) {
    observe("unary", request);
    responseObserver.onNext(reply(request));
    responseObserver.onCompleted();
  }

  @Override
  public void serverStreamingRpc(
      SimpleRequest request, StreamObserver<SimpleResponse> responseObserver) {
    for (int i = 0; i < STREAMED; i++) {
      observe("server-streaming", request);
      responseObserver.onNext(reply(request));
    }
    responseObserver.onCompleted();
  }

  @Override
  public StreamObserver<SimpleRequest> clientStreamingRpc(
      StreamObserver<SimpleResponse> responseObserver) {
    return new StreamObserver<>() {
      private @Nullable SimpleRequest last;

      @Override
      public void onNext(SimpleRequest request) {
        observe("client-streaming", request);
        last = request;
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        SimpleRequest request = last == null ? SimpleRequest.getDefaultInstance() : last;
        responseObserver.onNext(reply(request));
        responseObserver.onCompleted();
      }
    };
  }

  @Override
  public StreamObserver<SimpleRequest> bidiStreamingRpc(
      StreamObserver<SimpleResponse> responseObserver) {
    return new StreamObserver<>() {
      @Override
      public void onNext(SimpleRequest request) {
        observe("bidi", request);
        responseObserver.onNext(reply(request));
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        responseObserver.onCompleted();
      }
    };
  }
}
