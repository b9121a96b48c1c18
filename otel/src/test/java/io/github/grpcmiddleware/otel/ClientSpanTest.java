package io.github.grpcmiddleware.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.grpcmiddleware.otel.testsupport.InMemoryOtel;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The CLIENT span of {@code GrpcTracing}'s client interceptor: current in every callback of its
 * call, and ended exactly once whatever ends the call. The module's second test run has no {@code
 * opentelemetry-grpc-1.6} Context bridge on the class path: there only the interceptor itself can
 * make the span current on the channel's callback threads.
 */
class ClientSpanTest {
  private static final AttributeKey<Long> STATUS_CODE =
      AttributeKey.longKey("rpc.grpc.status_code");

  @RegisterExtension final InMemoryOtel otel = InMemoryOtel.traceContext();
  private final OpenTelemetrySdk sdk = otel.sdk();

  @RegisterExtension
  final GrpcServerExtension grpc = GrpcServerExtension.builder().service(new Answer()).build();

  /** Answers every unary call, and the first message of a bidi call with two responses. */
  private static final class Answer extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
      out.onNext(SimpleResponse.newBuilder().setResponseMessage("ok").build());
      out.onCompleted();
    }

    @Override
    public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> out) {
      return new StreamObserver<SimpleRequest>() {
        @Override
        public void onNext(SimpleRequest request) {
          out.onNext(SimpleResponse.newBuilder().setResponseMessage("one").build());
          out.onNext(SimpleResponse.newBuilder().setResponseMessage("two").build());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          out.onCompleted();
        }
      };
    }
  }

  private static String currentSpanId() {
    return Span.current().getSpanContext().getSpanId();
  }

  private static SpanData client(List<SpanData> spans) {
    return spans.stream()
        .filter(s -> s.getKind() == SpanKind.CLIENT)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no CLIENT span: " + spans));
  }

  @Test
  void everyCallbackRunsWithTheClientSpanCurrent() throws InterruptedException {
    ManagedChannel channel = grpc.channel(GrpcTracing.newClientInterceptor(sdk));
    Map<String, String> seen = new ConcurrentHashMap<>();
    CountDownLatch closed = new CountDownLatch(1);
    Span parent = sdk.getTracer("test").spanBuilder("parent").startSpan();
    ClientCall<SimpleRequest, SimpleResponse> call;
    try (Scope ignored = parent.makeCurrent()) {
      call = channel.newCall(SimpleServiceGrpc.getBidiStreamingRpcMethod(), CallOptions.DEFAULT);
      call.start(
          new ClientCall.Listener<SimpleResponse>() {
            @Override
            public void onHeaders(Metadata headers) {
              seen.put("onHeaders", currentSpanId());
            }

            @Override
            public void onMessage(SimpleResponse message) {
              seen.put("onMessage " + message.getResponseMessage(), currentSpanId());
            }

            @Override
            public void onReady() {
              seen.putIfAbsent("onReady", currentSpanId());
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
              seen.put("onClose", currentSpanId());
              closed.countDown();
            }
          },
          new Metadata());
    }
    // The rest of the call happens outside the parent's scope: the callbacks (on the channel's
    // executor) must not owe their span to the thread that started the call.
    call.request(2);
    call.sendMessage(SimpleRequest.getDefaultInstance());
    call.halfClose();
    assertThat(closed.await(10, TimeUnit.SECONDS)).as("call closed").isTrue();
    parent.end();

    SpanData client = client(otel.awaitSpans(2));
    assertThat(client.getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId());
    assertThat(seen)
        .containsOnlyKeys("onHeaders", "onMessage one", "onMessage two", "onReady", "onClose")
        .allSatisfy(
            (callback, spanId) -> assertThat(spanId).as(callback).isEqualTo(client.getSpanId()));
  }

  @Test
  void aCallChainedFromOnNextStaysInTheTraceAsAChildOfTheFirstCall() throws InterruptedException {
    SimpleServiceGrpc.SimpleServiceStub stub =
        grpc.stub(SimpleServiceGrpc::newStub, GrpcTracing.newClientInterceptor(sdk));
    CountDownLatch chainedDone = new CountDownLatch(1);
    stub.unaryRpc(
        SimpleRequest.getDefaultInstance(),
        new StreamObserver<SimpleResponse>() {
          @Override
          public void onNext(SimpleResponse value) {
            stub.unaryRpc(SimpleRequest.getDefaultInstance(), countDownOnEnd(chainedDone));
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        });
    assertThat(chainedDone.await(10, TimeUnit.SECONDS)).as("chained call ended").isTrue();

    List<SpanData> spans = otel.awaitSpans(2);
    SpanData first =
        spans.stream()
            .filter(s -> !s.getParentSpanContext().isValid())
            .findFirst()
            .orElseThrow(() -> new AssertionError("no root span: " + spans));
    assertThat(spans)
        .filteredOn(s -> s != first)
        .singleElement()
        .satisfies(
            chained -> {
              assertThat(chained.getTraceId()).isEqualTo(first.getTraceId());
              assertThat(chained.getParentSpanId()).isEqualTo(first.getSpanId());
            });
  }

  /** A unary call through GrpcTracing's client interceptor, cancelled before it started. */
  private ClientCall<SimpleRequest, SimpleResponse> cancelledBeforeStart() {
    ManagedChannel channel = grpc.channel(GrpcTracing.newClientInterceptor(sdk));
    ClientCall<SimpleRequest, SimpleResponse> call =
        channel.newCall(SimpleServiceGrpc.getUnaryRpcMethod(), CallOptions.DEFAULT);
    call.cancel("the caller gave up before starting", null);
    return call;
  }

  @Test
  void aCallCancelledBeforeStartEndsItsSpanOnceAsCancelled() {
    ClientCall<SimpleRequest, SimpleResponse> call = cancelledBeforeStart();
    call.cancel("and again", null);

    SpanData span = otel.awaitSpans(1).get(0);
    assertThat(span.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(span.getAttributes().get(STATUS_CODE))
        .isEqualTo((long) Status.Code.CANCELLED.value());
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
  }

  @Test
  void aCallStartedAfterItWasCancelledStillEndsItsSpanOnceAsCancelled() {
    ClientCall<SimpleRequest, SimpleResponse> call = cancelledBeforeStart();

    // grpc-java refuses to start a cancelled call ("call was cancelled"); the span is already over.
    Throwable refused =
        catchThrowable(
            () -> call.start(new ClientCall.Listener<SimpleResponse>() {}, new Metadata()));

    assertThat(refused).isInstanceOf(IllegalStateException.class);
    SpanData span = otel.awaitSpans(1).get(0);
    assertThat(span.getAttributes().get(STATUS_CODE))
        .isEqualTo((long) Status.Code.CANCELLED.value());
  }

  private static StreamObserver<SimpleResponse> countDownOnEnd(CountDownLatch latch) {
    return new StreamObserver<SimpleResponse>() {
      @Override
      public void onNext(SimpleResponse value) {}

      @Override
      public void onError(Throwable t) {
        latch.countDown();
      }

      @Override
      public void onCompleted() {
        latch.countDown();
      }
    };
  }
}
