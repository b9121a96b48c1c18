package io.github.grpcmiddleware.trace;

import static io.github.grpcmiddleware.trace.TraceIdsServerInterceptorTest.X_TRACE_ID;
import static io.github.grpcmiddleware.trace.TraceIdsServerInterceptorTest.assertHandlerSaw;
import static io.github.grpcmiddleware.trace.TraceIdsServerInterceptorTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testsupport.CallObserver;
import io.grpc.Context;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

/** Handlers that answer from their own threads: wrap(...) and mdcScope(Context). */
class TraceIdsWrapTest {
  static final ExecutorService userPool = Executors.newFixedThreadPool(2);
  static final CallObserver outer = new CallObserver();
  static final CloseLogger inner = new CloseLogger();

  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new HandOffService())
          .interceptor(outer, TraceIds.serverBuilder().spanIdMdcKey("spanId").build(), inner)
          .build();

  /** Answers on user threads: unary via wrap(Executor), streaming via wrap(Runnable), bidi raw. */
  static final class HandOffService extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> observer) {
      TraceIds.wrap(userPool).execute(() -> answer(observer));
    }

    @Override
    public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> observer) {
      userPool.execute(TraceIds.wrap(() -> answer(observer)));
    }

    @Override
    public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> observer) {
      return new StreamObserver<SimpleRequest>() {
        @Override
        public void onNext(SimpleRequest value) {}

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          // Unwrapped: the user thread knows nothing about the call.
          userPool.execute(() -> answer(observer));
        }
      };
    }

    private static void answer(StreamObserver<SimpleResponse> observer) {
      observer.onNext(TraceTestService.response());
      observer.onCompleted();
    }
  }

  /** Logs from close the way the access log does: with the Context captured at the start. */
  static final class CloseLogger implements ServerInterceptor {
    final Queue<String> seen = new ConcurrentLinkedQueue<>();

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      Context callContext = Context.current();
      return next.startCall(
          new SimpleForwardingServerCall<ReqT, RespT>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
              String before = MDC.get("traceId");
              try (MdcScope scope = TraceIds.mdcScope(callContext)) {
                seen.add("scope=" + MDC.get("traceId") + " span=" + MDC.get("spanId"));
              }
              seen.add("restored=" + Objects.equals(before, MDC.get("traceId")));
              super.close(status, trailers);
            }
          },
          headers);
    }
  }

  @AfterAll
  static void stopPool() {
    userPool.shutdownNow();
  }

  @BeforeEach
  void clear() {
    outer.seen.clear();
    inner.seen.clear();
  }

  private String callAndCheck(java.util.function.Consumer<RecordingObserver> call)
      throws Exception {
    RecordingObserver responses = new RecordingObserver();
    call.accept(responses);
    assertThat(responses.await().isOk()).isTrue();
    return responses.messages.get(0);
  }

  @Test
  void wrappedExecutorAndRunnableCarryContextAndMdc() throws Exception {
    for (int kind = 0; kind < 2; kind++) {
      inner.seen.clear();
      AtomicReference<Metadata> headers = new AtomicReference<>();
      SimpleServiceGrpc.SimpleServiceStub stub =
          SimpleServiceGrpc.newStub(grpc.channel())
              .withInterceptors(
                  MetadataUtils.newCaptureMetadataInterceptor(headers, new AtomicReference<>()));
      boolean unary = kind == 0;
      String seen =
          callAndCheck(
              r -> {
                if (unary) {
                  stub.unaryRpc(request("x"), r);
                } else {
                  stub.serverStreamingRpc(request("x"), r);
                }
              });
      String id = Objects.requireNonNull(headers.get()).get(X_TRACE_ID);
      assertHandlerSaw(seen, Objects.requireNonNull(id));
      assertThat(inner.seen).hasSize(2).element(0).asString().startsWith("scope=" + id + " span=");
      assertThat(inner.seen).contains("restored=true");
    }
    assertThat(TraceIsolationTest.mdcOfEachThread(userPool, 2)).containsOnly(Map.of());
    assertThat(userPool.submit(TraceIds::current).get()).isNull();
  }

  @Test
  void unwrappedThreadStillGetsTheIdOnTheResponsePathAndInMdcScope() throws Exception {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    SimpleServiceGrpc.SimpleServiceStub stub =
        SimpleServiceGrpc.newStub(grpc.channel())
            .withInterceptors(
                MetadataUtils.newCaptureMetadataInterceptor(headers, new AtomicReference<>()));
    String seen =
        callAndCheck(
            r -> {
              StreamObserver<SimpleRequest> requests = stub.bidiStreamingRpc(r);
              requests.onCompleted();
            });
    String id = Objects.requireNonNull(headers.get()).get(X_TRACE_ID);

    assertThat(seen).isEqualTo("null null null null");
    assertThat(outer.seen).containsExactly("sendHeaders=" + id, "sendMessage=" + id, "close=" + id);
    assertThat(inner.seen).element(0).asString().startsWith("scope=" + id + " span=");
    assertThat(inner.seen).contains("restored=true");
    assertThat(TraceIsolationTest.mdcOfEachThread(userPool, 2)).containsOnly(Map.of());
  }

  @Test
  void mdcScopeOfAContextWithoutTraceDoesNothing() {
    MDC.put("traceId", "keep");
    try (MdcScope scope = TraceIds.mdcScope(Context.ROOT)) {
      assertThat(MDC.get("traceId")).isEqualTo("keep");
    }
    assertThat(MDC.get("traceId")).isEqualTo("keep");
    assertThat(TraceIds.fromContext(Context.ROOT)).isNull();
    MDC.clear();
  }
}
