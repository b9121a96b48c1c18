package io.github.grpcmiddleware.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.otel.testsupport.InMemoryOtel;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.ServerCallCapture;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.MDC;

/**
 * {@code TraceIds.wrap} on a service traced by {@code GrpcTracing}: a downstream call made from a
 * wrapped task, through {@code GrpcTracing}'s client interceptor and core's, stays in the caller's
 * trace, its CLIENT span a child of the SERVER span. Without {@code opentelemetry-grpc-1.6}'s
 * Context bridge (the module's second test run) only the wrapper can carry the OpenTelemetry
 * Context to the task's thread.
 */
class WrappedExecutorTest {

  @RegisterExtension final InMemoryOtel otel = InMemoryOtel.traceContext();
  private final OpenTelemetrySdk sdk = otel.sdk();
  private final ExecutorService pool = Executors.newSingleThreadExecutor();
  private final Map<String, String> seen = new ConcurrentHashMap<>();

  /** Server B: records the request headers of each call. */
  private final ServerCallCapture atB = ServerCallCapture.create();

  @RegisterExtension final GrpcServerExtension serverB = TwoHops.answering(atB);

  private Wrapping wrapping = Wrapping.EXECUTOR;

  /** Server A: traced by GrpcTracing; its handler calls B from a task on {@link #pool}. */
  @RegisterExtension
  final GrpcServerExtension serverA =
      GrpcServerExtension.builder()
          .service(new ServiceA())
          .interceptor(GrpcTracing.newServerInterceptor(sdk))
          .build();

  /** The two ways to hand a call's work to a thread of one's own. */
  enum Wrapping {
    EXECUTOR(pool -> TraceIds.wrap(pool)::execute),
    RUNNABLE(pool -> task -> pool.execute(TraceIds.wrap(task)));

    final Function<ExecutorService, Consumer<Runnable>> submit;

    Wrapping(Function<ExecutorService, Consumer<Runnable>> submit) {
      this.submit = submit;
    }
  }

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  private final class ServiceA extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
      // Client side as docs/tracing.md says: GrpcTracing's interceptor nearest the application,
      // then core's.
      ManagedChannel toB =
          serverB.channel(GrpcTracing.newClientInterceptor(sdk), TraceIds.newClientInterceptor());
      wrapping
          .submit
          .apply(pool)
          .accept(
              () -> {
                seen.put("mdcTraceId", String.valueOf(MDC.get("traceId")));
                try {
                  SimpleServiceGrpc.newBlockingStub(toB).unaryRpc(request);
                  out.onNext(SimpleResponse.getDefaultInstance());
                  out.onCompleted();
                } catch (RuntimeException e) {
                  out.onError(e);
                }
              });
    }
  }

  @ParameterizedTest
  @EnumSource(Wrapping.class)
  void aDownstreamCallFromAWrappedTaskStaysInTheTrace(Wrapping how) {
    wrapping = how;

    SimpleServiceGrpc.newBlockingStub(serverA.channel())
        .unaryRpc(SimpleRequest.getDefaultInstance());

    List<SpanData> spans = otel.awaitSpans(2);
    SpanData server = kind(spans, SpanKind.SERVER);
    SpanData client = kind(spans, SpanKind.CLIENT);
    assertThat(client.getTraceId()).isEqualTo(server.getTraceId());
    assertThat(client.getParentSpanId()).isEqualTo(server.getSpanId());
    assertThat(seen).containsEntry("mdcTraceId", server.getTraceId());
    assertThat(atB.lastCall().header("traceparent"))
        .isEqualTo(
            "00-"
                + server.getTraceId()
                + "-"
                + client.getSpanId()
                + "-"
                + client.getSpanContext().getTraceFlags().asHex());
  }

  private static SpanData kind(List<SpanData> spans, SpanKind kind) {
    return spans.stream()
        .filter(s -> s.getKind() == kind)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " span: " + spans));
  }
}
