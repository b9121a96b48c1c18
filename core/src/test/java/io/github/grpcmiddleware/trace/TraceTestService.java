package io.github.grpcmiddleware.trace;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Answers every request with what the handler saw: {@code "<MDC traceId> <TraceIds.current()> <MDC
 * spanId> <MDC requestId>"}. Request {@code fail} closes with INVALID_ARGUMENT before any header;
 * {@code hang} never answers and records the MDC trace id seen when cancelled.
 */
final class TraceTestService extends SimpleServiceGrpc.SimpleServiceImplBase {
  static final Logger HANDLER_LOG = LoggerFactory.getLogger("test.trace.handler");

  final Queue<String> cancelObservations = new ConcurrentLinkedQueue<>();
  final Queue<String> hangStarted = new ConcurrentLinkedQueue<>();

  static String observed() {
    return MDC.get("traceId")
        + " "
        + TraceIds.current()
        + " "
        + MDC.get("spanId")
        + " "
        + MDC.get("requestId");
  }

  private boolean special(SimpleRequest request, StreamObserver<SimpleResponse> observer) {
    String text = request.getRequestMessage();
    if (text.equals("fail")) {
      observer.onError(Status.INVALID_ARGUMENT.withDescription("bad").asRuntimeException());
      return true;
    }
    if (text.equals("hang")) {
      ((ServerCallStreamObserver<SimpleResponse>) observer)
          .setOnCancelHandler(() -> cancelObservations.add(String.valueOf(MDC.get("traceId"))));
      hangStarted.add(String.valueOf(MDC.get("traceId")));
      return true;
    }
    return false;
  }

  static SimpleResponse response() {
    return SimpleResponse.newBuilder().setResponseMessage(observed()).build();
  }

  @Override
  public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> observer) {
    HANDLER_LOG.info("unary {}", request.getRequestMessage());
    if (special(request, observer)) {
      return;
    }
    observer.onNext(response());
    observer.onCompleted();
  }

  @Override
  public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> observer) {
    if (special(request, observer)) {
      return;
    }
    for (int i = 0; i < 3; i++) {
      observer.onNext(response());
    }
    observer.onCompleted();
  }

  @Override
  public StreamObserver<SimpleRequest> clientStreamingRpc(StreamObserver<SimpleResponse> observer) {
    return new StreamObserver<SimpleRequest>() {
      final StringBuilder seen = new StringBuilder();

      @Override
      public void onNext(SimpleRequest value) {
        seen.append(observed()).append('\n');
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        seen.append(observed());
        observer.onNext(SimpleResponse.newBuilder().setResponseMessage(seen.toString()).build());
        observer.onCompleted();
      }
    };
  }

  @Override
  public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> observer) {
    return new StreamObserver<SimpleRequest>() {
      @Override
      public void onNext(SimpleRequest value) {
        observer.onNext(response());
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        observer.onNext(response());
        observer.onCompleted();
      }
    };
  }
}
