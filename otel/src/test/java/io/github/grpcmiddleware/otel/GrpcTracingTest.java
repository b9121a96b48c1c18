package io.github.grpcmiddleware.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.otel.testsupport.InMemoryOtel;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

class GrpcTracingTest {

  private static final Metadata.Key<String> X_TRACE_ID =
      Metadata.Key.of("x-trace-id", Metadata.ASCII_STRING_MARSHALLER);
  private static final String UNARY = "grpc.testing.SimpleService/UnaryRpc";

  @RegisterExtension final InMemoryOtel otel = InMemoryOtel.traceContextAndBaggage();

  /** One permit each time a "sleep" call has answered, late or not. */
  private final Semaphore sleepAnswered = new Semaphore(0);

  private final OpenTelemetry openTelemetry = otel.sdk(Sampler.alwaysOn());

  /** A new server interceptor with the baggage bound these tests check. */
  private ServerInterceptor serverTracing() {
    return GrpcTracing.serverBuilder(openTelemetry).maxBaggageEntries(2).build();
  }

  private final Map<String, String> seen = new ConcurrentHashMap<>();
  private final String serverB = InProcessServerBuilder.generateName();

  @RegisterExtension
  final GrpcServerExtension grpc =
      GrpcServerExtension.builder().service(new ServiceA()).interceptor(serverTracing()).build();

  /** Server A: records what its handler thread sees, and calls server B for "chain". */
  private final class ServiceA extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
      seen.put("mdcTraceId", String.valueOf(MDC.get("traceId")));
      seen.put("mdcSpanId", String.valueOf(MDC.get("spanId")));
      seen.put("traceIds", String.valueOf(TraceIds.current()));
      seen.put("spanTraceId", Span.current().getSpanContext().getTraceId());
      seen.put("baggage", String.valueOf(Baggage.current().size()));
      seen.put("baggageKeys", String.valueOf(new TreeSet<>(Baggage.current().asMap().keySet())));
      switch (request.getRequestMessage()) {
        case "chain":
          startServerB();
          // [START otel-client]
          ManagedChannel channel =
              grpc.register(
                  InProcessChannelBuilder.forName(serverB)
                      .intercept(GrpcTracing.newClientInterceptor(openTelemetry))
                      .build());
          // [END otel-client]
          SimpleServiceGrpc.newBlockingStub(channel).unaryRpc(request);
          break;
        case "fail":
          out.onError(new IllegalStateException("boom"));
          return;
        case "sleep":
          sleep(500);
          try {
            out.onNext(SimpleResponse.getDefaultInstance());
            out.onCompleted();
          } finally {
            sleepAnswered.release();
          }
          return;
        default:
      }
      out.onNext(SimpleResponse.getDefaultInstance());
      out.onCompleted();
    }
  }

  private void startServerB() {
    try {
      grpc.register(
          InProcessServerBuilder.forName(serverB)
              .addService(
                  ServerInterceptors.intercept(
                      new SimpleServiceGrpc.SimpleServiceImplBase() {
                        @Override
                        public void unaryRpc(
                            SimpleRequest request, StreamObserver<SimpleResponse> out) {
                          seen.put("bMdcTraceId", String.valueOf(MDC.get("traceId")));
                          out.onNext(SimpleResponse.getDefaultInstance());
                          out.onCompleted();
                        }
                      },
                      serverTracing()))
              .build()
              .start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static SimpleRequest request(String text) {
    return SimpleRequest.newBuilder().setRequestMessage(text).build();
  }

  private static SpanData find(List<SpanData> spans, SpanKind kind, String parentSpanId) {
    return spans.stream()
        .filter(s -> s.getKind() == kind && s.getParentSpanId().equals(parentSpanId))
        .findFirst()
        .orElseThrow(() -> new AssertionError(kind + " span under " + parentSpanId + ": " + spans));
  }

  @Test
  void clientToServerAToServerBIsOneTraceWithParentLinksAndMdc() {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    SimpleServiceGrpc.newBlockingStub(
            grpc.channel(
                GrpcTracing.newClientInterceptor(openTelemetry),
                MetadataUtils.newCaptureMetadataInterceptor(headers, trailers)))
        .unaryRpc(request("chain"));

    List<SpanData> spans = otel.awaitSpans(4);
    SpanData client = find(spans, SpanKind.CLIENT, "0000000000000000");
    SpanData serverA = find(spans, SpanKind.SERVER, client.getSpanId());
    SpanData clientA = find(spans, SpanKind.CLIENT, serverA.getSpanId());
    SpanData serverB = find(spans, SpanKind.SERVER, clientA.getSpanId());
    String traceId = client.getTraceId();
    assertThat(spans).allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(traceId));
    for (SpanData span : List.of(client, serverA, clientA, serverB)) {
      assertThat(span.getName()).isEqualTo(UNARY);
      assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
      assertThat(span.getAttributes().asMap())
          .containsEntry(AttributeKey.stringKey("rpc.system"), "grpc")
          .containsEntry(AttributeKey.stringKey("rpc.service"), "grpc.testing.SimpleService")
          .containsEntry(AttributeKey.stringKey("rpc.method"), "UnaryRpc")
          .containsEntry(AttributeKey.longKey("rpc.grpc.status_code"), 0L);
    }
    assertThat(seen)
        .containsEntry("mdcTraceId", traceId)
        .containsEntry("traceIds", traceId)
        .containsEntry("spanTraceId", traceId)
        .containsEntry("mdcSpanId", serverA.getSpanId())
        .containsEntry("bMdcTraceId", traceId);
    assertThat(Objects.requireNonNull(headers.get()).get(X_TRACE_ID)).isEqualTo(traceId);
  }

  @Test
  void failureEndsBothSpansWithTheCodeAndErrorStatus() {
    assertThatThrownBy(
            () ->
                SimpleServiceGrpc.newBlockingStub(
                        grpc.channel(GrpcTracing.newClientInterceptor(openTelemetry)))
                    .unaryRpc(request("fail")))
        .isInstanceOf(StatusRuntimeException.class);

    List<SpanData> spans = otel.awaitSpans(2);
    assertThat(spans)
        .allSatisfy(
            s -> {
              assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
              assertThat(s.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code")))
                  .isEqualTo((long) Status.Code.UNKNOWN.value());
            });
  }

  @Test
  void deadlineEndsTheServerSpanOnceWithDeadlineExceeded() throws InterruptedException {
    SimpleServiceGrpc.SimpleServiceBlockingStub stub =
        SimpleServiceGrpc.newBlockingStub(
            grpc.channel(GrpcTracing.newClientInterceptor(openTelemetry)));
    stub.unaryRpc(request("warm up"));
    otel.awaitSpans(2);
    otel.reset();
    assertThatThrownBy(
            () -> stub.withDeadlineAfter(100, TimeUnit.MILLISECONDS).unaryRpc(request("sleep")))
        .isInstanceOf(StatusRuntimeException.class);

    assertThat(sleepAnswered.tryAcquire(10, TimeUnit.SECONDS)).as("late answer").isTrue();
    // The handler woke up and answered into the cancelled call: still two spans.
    List<SpanData> spans = otel.awaitSpans(2);
    assertThat(otel.spans()).hasSize(2);
    assertThat(spans)
        .allSatisfy(
            s ->
                assertThat(s.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code")))
                    .isEqualTo((long) Status.Code.DEADLINE_EXCEEDED.value()));
    assertThat(spans)
        .filteredOn(s -> s.getKind() == SpanKind.SERVER)
        .singleElement()
        .satisfies(s -> assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR));
  }

  @Test
  void anExistingServerSpanIsMirroredNotDuplicated() throws IOException {
    // Any instrumentation that makes a valid span current before ours runs (the real official one:
    // OfficialInstrumentationInteropTest).
    ServerInterceptor official =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
              ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
            Span span =
                openTelemetry
                    .getTracer("official")
                    .spanBuilder("official")
                    .setSpanKind(SpanKind.SERVER)
                    .startSpan();
            seen.put("officialTraceId", span.getSpanContext().getTraceId());
            try (Scope ignored = span.makeCurrent()) {
              return next.startCall(call, headers);
            } finally {
              span.end();
            }
          }
        };
    String name = InProcessServerBuilder.generateName();
    grpc.register(
        InProcessServerBuilder.forName(name)
            .addService(ServerInterceptors.intercept(new ServiceA(), serverTracing(), official))
            .build()
            .start());
    SimpleServiceGrpc.newBlockingStub(grpc.register(InProcessChannelBuilder.forName(name).build()))
        .unaryRpc(request("plain"));

    if (ContextBridge.bridged()) {
      // OpenTelemetry's Context lives in the call's io.grpc.Context: the span is this call's.
      List<SpanData> spans = otel.awaitSpans(1);
      assertThat(spans.get(0).getName()).isEqualTo("official");
      assertThat(seen.get("mdcTraceId")).isEqualTo(seen.get("officialTraceId"));
    } else {
      // Without the bridge a span current while the call starts may be the caller's (an in-process
      // client under directExecutor()): never taken for the call's; the call gets its own.
      List<SpanData> spans = otel.awaitSpans(2);
      assertThat(spans).extracting(SpanData::getName).contains("official", UNARY);
      SpanData ours =
          spans.stream().filter(s -> s.getName().equals(UNARY)).findFirst().orElseThrow();
      assertThat(seen.get("mdcSpanId")).isEqualTo(ours.getSpanId());
    }
  }

  @Test
  void underDirectExecutorInProcessTheServerGetsItsOwnServerSpan() throws IOException {
    // The client's start() runs the server's interceptors on the same thread, with the CLIENT span
    // current: it must not be taken for the server's span.
    String name = InProcessServerBuilder.generateName();
    grpc.register(
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(ServerInterceptors.intercept(new ServiceA(), serverTracing()))
            .build()
            .start());
    ManagedChannel channel =
        grpc.register(
            InProcessChannelBuilder.forName(name)
                .directExecutor()
                .intercept(GrpcTracing.newClientInterceptor(openTelemetry))
                .build());

    SimpleServiceGrpc.newBlockingStub(channel).unaryRpc(request("plain"));

    List<SpanData> spans = otel.awaitSpans(2);
    SpanData client =
        spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();
    SpanData server =
        spans.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
    assertThat(server.getParentSpanId()).isEqualTo(client.getSpanId());
    assertThat(server.getTraceId()).isEqualTo(client.getTraceId());
    assertThat(seen.get("mdcSpanId")).isEqualTo(server.getSpanId());
  }

  @Test
  void remoteSampledFlagCannotForceSamplingButTheTraceIdIsKept() throws IOException {
    // [START otel-sampler]
    Sampler root = Sampler.alwaysOff(); // or Sampler.traceIdRatioBased(0.01)
    Sampler ignoreRemoteSampled =
        Sampler.parentBasedBuilder(root)
            .setRemoteParentSampled(root)
            .setRemoteParentNotSampled(root)
            .build();
    // [END otel-sampler]
    String name = InProcessServerBuilder.generateName();
    OpenTelemetry sdk = otel.sdk(ignoreRemoteSampled);
    // [START otel-server]
    Server server =
        InProcessServerBuilder.forName(name)
            .addService(
                ServerInterceptors.intercept(new ServiceA(), GrpcTracing.newServerInterceptor(sdk)))
            .build()
            .start();
    // [END otel-server]
    grpc.register(server);
    Metadata forced = new Metadata();
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    forced.put(
        Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER),
        "00-" + traceId + "-00f067aa0ba902b7-01");
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    SimpleServiceGrpc.newBlockingStub(
            grpc.register(
                InProcessChannelBuilder.forName(name)
                    .intercept(
                        MetadataUtils.newCaptureMetadataInterceptor(headers, trailers),
                        MetadataUtils.newAttachHeadersInterceptor(forced))
                    .build()))
        .unaryRpc(request("plain"));

    otel.awaitAllEnded(); // a span forced by the caller would have started during the call
    assertThat(otel.spans()).isEmpty();
    assertThat(Objects.requireNonNull(headers.get()).get(X_TRACE_ID)).isEqualTo(traceId);
    assertThat(seen).containsEntry("mdcTraceId", traceId);
  }

  @Test
  void baggageIsBounded() {
    Metadata many = new Metadata();
    StringBuilder baggage = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      baggage.append(i == 0 ? "" : ",").append("k").append(i).append("=v");
    }
    many.put(Metadata.Key.of("baggage", Metadata.ASCII_STRING_MARSHALLER), baggage.toString());
    SimpleServiceGrpc.newBlockingStub(grpc.channel(MetadataUtils.newAttachHeadersInterceptor(many)))
        .unaryRpc(request("plain"));

    assertThat(seen).containsEntry("baggage", "2");
  }

  @Test
  void builderRejectsNegativeBounds() {
    assertThatThrownBy(() -> GrpcTracing.serverBuilder(openTelemetry).maxBaggageBytes(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxBaggageBytes: -1 (expected: >= 0)");
  }
}
