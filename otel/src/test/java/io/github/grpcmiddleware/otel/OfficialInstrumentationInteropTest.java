package io.github.grpcmiddleware.otel;

import static io.github.grpcmiddleware.testsupport.Rpcs.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.auth.Auth;
import io.github.grpcmiddleware.auth.Authenticators;
import io.github.grpcmiddleware.otel.testsupport.InMemoryOtel;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testsupport.Rpcs;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.instrumentation.grpc.v1_6.GrpcTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link GrpcTracing} together with OpenTelemetry's own {@code opentelemetry-grpc-1.6} library
 * instrumentation (the real artifact), in the combinations the README documents.
 */
class OfficialInstrumentationInteropTest {
  private static final Metadata.Key<String> X_TRACE_ID =
      Metadata.Key.of("x-trace-id", Metadata.ASCII_STRING_MARSHALLER);
  private static final String OFFICIAL_SCOPE = "io.opentelemetry.grpc-1.6";
  private static final String REMOTE_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

  @RegisterExtension final InMemoryOtel otel = InMemoryOtel.traceContextAndBaggage();
  private final OpenTelemetrySdk sdk = otel.sdk(Sampler.alwaysOn());
  private final GrpcTelemetry official = GrpcTelemetry.create(sdk);

  /** Ours, with the baggage bound these tests check. */
  private ServerInterceptor ours() {
    return GrpcTracing.serverBuilder(sdk).maxBaggageEntries(2).build();
  }

  private final RecordingService service = new RecordingService();

  /** The documented combination: the official server interceptor outside ours. */
  @RegisterExtension
  final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(service)
          .interceptor(official.createServerInterceptor(), ours())
          .build();

  private static SpanData single(List<SpanData> spans, SpanKind kind) {
    List<SpanData> ofKind = spans.stream().filter(s -> s.getKind() == kind).toList();
    assertThat(ofKind).as(kind + " spans").hasSize(1);
    return ofKind.get(0);
  }

  private static Metadata traceparent(String traceId, String flags) {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER),
        "00-" + traceId + "-00f067aa0ba902b7-" + flags);
    return headers;
  }

  @Test
  void officialServerOutsideOursGivesOneServerSpanWhoseIdsAreTheCallsIds() throws Exception {
    String name = InProcessServerBuilder.generateName();
    // [START otel-official]
    GrpcTelemetry telemetry = GrpcTelemetry.create(sdk); // opentelemetry-grpc-1.6
    Server server =
        InProcessServerBuilder.forName(name)
            // The last interceptor runs first: the official one outside GrpcTracing's.
            .addService(
                ServerInterceptors.intercept(
                    service,
                    GrpcTracing.newServerInterceptor(sdk),
                    telemetry.createServerInterceptor()))
            .build()
            .start();
    // [END otel-official]
    grpc.register(server);
    for (Rpcs kind : Rpcs.values()) {
      otel.reset();
      AtomicReference<Metadata> headers = new AtomicReference<>();
      AtomicReference<Metadata> trailers = new AtomicReference<>();
      ManagedChannel channel =
          grpc.register(
              InProcessChannelBuilder.forName(name)
                  .intercept(
                      MetadataUtils.newCaptureMetadataInterceptor(headers, trailers),
                      telemetry.createClientInterceptor())
                  .build());

      assertThat(kind.status(channel)).extracting(Status::getCode).isEqualTo(Status.Code.OK);

      List<SpanData> spans = otel.awaitSpans(2);
      SpanData client = single(spans, SpanKind.CLIENT);
      SpanData serverSpan = single(spans, SpanKind.SERVER);
      assertThat(serverSpan.getInstrumentationScopeInfo().getName()).isEqualTo(OFFICIAL_SCOPE);
      assertThat(serverSpan.getParentSpanId()).isEqualTo(client.getSpanId());
      String traceId = serverSpan.getTraceId();
      assertThat(client.getTraceId()).isEqualTo(traceId);
      assertThat(service.seen.get(kind))
          .as(kind.name())
          .isEqualTo(
              new RecordingService.Seen(traceId, serverSpan.getSpanId(), traceId, traceId, 0));
      assertThat(Objects.requireNonNull(headers.get()).get(X_TRACE_ID)).isEqualTo(traceId);
      assertThat(serverSpan.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }
  }

  @Test
  void aFailedCallIsRecordedOnceOnTheOfficialSpan() throws Exception {
    assertThatThrownBy(
            () -> SimpleServiceGrpc.newBlockingStub(grpc.channel()).unaryRpc(request("fail")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN));

    SpanData server = single(otel.awaitSpans(1), SpanKind.SERVER);
    assertThat(server.getInstrumentationScopeInfo().getName()).isEqualTo(OFFICIAL_SCOPE);
    assertThat(server.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(server.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code")))
        .isEqualTo((long) Status.Code.UNKNOWN.value());
  }

  /**
   * The official interceptor ends its span in {@code onCancel} with CANCELLED, so a deadline shows
   * up there as CANCELLED (not an error on the server side); {@code GrpcTracing} alone records
   * DEADLINE_EXCEEDED. The README says so.
   */
  @Test
  void aDeadlineEndsTheOfficialSpanOnceAsCancelled() throws Exception {
    SimpleServiceGrpc.SimpleServiceBlockingStub stub =
        SimpleServiceGrpc.newBlockingStub(grpc.channel());
    stub.unaryRpc(request("warm up"));
    otel.awaitSpans(1);
    otel.reset();
    assertThatThrownBy(
            () -> stub.withDeadlineAfter(100, TimeUnit.MILLISECONDS).unaryRpc(request("sleep")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

    assertThat(service.sleepAnswered.tryAcquire(10, TimeUnit.SECONDS)).as("late answer").isTrue();
    // The handler woke up and answered into the cancelled call: still one span, CANCELLED.
    SpanData server = single(otel.awaitSpans(1), SpanKind.SERVER);
    assertThat(server.getInstrumentationScopeInfo().getName()).isEqualTo(OFFICIAL_SCOPE);
    assertThat(server.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code")))
        .isEqualTo((long) Status.Code.CANCELLED.value());
    assertThat(server.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
  }

  @Test
  void eachClientInterceptorJoinsTheOtherServerSpan() throws Exception {
    String name = InProcessServerBuilder.generateName();
    grpc.register(
        InProcessServerBuilder.forName(name)
            .addService(ServerInterceptors.intercept(service, ours()))
            .build()
            .start());
    ManagedChannel channel =
        grpc.register(
            InProcessChannelBuilder.forName(name)
                .intercept(official.createClientInterceptor())
                .build());

    assertThat(Rpcs.UNARY.status(channel)).extracting(Status::getCode).isEqualTo(Status.Code.OK);

    List<SpanData> spans = otel.awaitSpans(2);
    SpanData client = single(spans, SpanKind.CLIENT);
    SpanData server = single(spans, SpanKind.SERVER);
    assertThat(client.getInstrumentationScopeInfo().getName()).isEqualTo(OFFICIAL_SCOPE);
    assertThat(server.getInstrumentationScopeInfo().getName())
        .isEqualTo(GrpcTracing.INSTRUMENTATION_NAME);
    assertThat(server.getTraceId()).isEqualTo(client.getTraceId());
    assertThat(server.getParentSpanId()).isEqualTo(client.getSpanId());
    String traceId = client.getTraceId();
    assertThat(service.seen.get(Rpcs.UNARY))
        .isEqualTo(new RecordingService.Seen(traceId, server.getSpanId(), traceId, traceId, 0));

    otel.reset();
    assertThat(Rpcs.UNARY.status(grpc.channel(GrpcTracing.newClientInterceptor(sdk))))
        .extracting(Status::getCode)
        .isEqualTo(Status.Code.OK);
    spans = otel.awaitSpans(2);
    SpanData ourClient = single(spans, SpanKind.CLIENT);
    SpanData officialServer = single(spans, SpanKind.SERVER);
    assertThat(ourClient.getInstrumentationScopeInfo().getName())
        .isEqualTo(GrpcTracing.INSTRUMENTATION_NAME);
    assertThat(officialServer.getInstrumentationScopeInfo().getName()).isEqualTo(OFFICIAL_SCOPE);
    assertThat(officialServer.getTraceId()).isEqualTo(ourClient.getTraceId());
    assertThat(officialServer.getParentSpanId()).isEqualTo(ourClient.getSpanId());
  }

  @Test
  void anUnauthenticatedCallersSampledFlagForcesNoRecordingWithTheDocumentedSampler()
      throws Exception {
    Sampler root = Sampler.alwaysOff();
    Sampler documented =
        Sampler.parentBasedBuilder(root)
            .setRemoteParentSampled(root)
            .setRemoteParentNotSampled(root)
            .build();
    assertThat(spansOfUnauthenticatedSampledCalls(documented, false, 0)).isEmpty();
    assertThat(spansOfUnauthenticatedSampledCalls(documented, true, 0)).isEmpty();
    // Control: the SDK's default parent-based sampler obeys the caller's flag.
    assertThat(spansOfUnauthenticatedSampledCalls(Sampler.parentBased(root), false, 4))
        .hasSize(4)
        .allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(REMOTE_TRACE_ID));
    assertThat(spansOfUnauthenticatedSampledCalls(Sampler.parentBased(root), true, 4))
        .hasSize(4)
        .allSatisfy(
            s -> assertThat(s.getInstrumentationScopeInfo().getName()).isEqualTo(OFFICIAL_SCOPE));
  }

  /**
   * Calls each RPC kind with {@code traceparent ...-01} and no credentials on a server with auth
   * inside our interceptor (and the official one outside it when asked); returns the spans.
   */
  private List<SpanData> spansOfUnauthenticatedSampledCalls(
      Sampler sampler, boolean withOfficial, int expected) throws Exception {
    otel.reset();
    OpenTelemetrySdk sampled = otel.sdk(sampler);
    List<ServerInterceptor> interceptors = new ArrayList<>();
    interceptors.add(
        Auth.serverBuilder()
            .authenticator(Authenticators.bearerTokens(Map.of("secret", "alice")))
            .build());
    interceptors.add(GrpcTracing.newServerInterceptor(sampled));
    if (withOfficial) {
      interceptors.add(GrpcTelemetry.create(sampled).createServerInterceptor());
    }
    String name = InProcessServerBuilder.generateName();
    grpc.register(
        InProcessServerBuilder.forName(name)
            .addService(ServerInterceptors.intercept(service, interceptors))
            .build()
            .start());
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    ManagedChannel channel =
        grpc.register(
            InProcessChannelBuilder.forName(name)
                .intercept(
                    MetadataUtils.newCaptureMetadataInterceptor(headers, trailers),
                    MetadataUtils.newAttachHeadersInterceptor(traceparent(REMOTE_TRACE_ID, "01")))
                .build());
    for (Rpcs kind : Rpcs.values()) {
      assertThat(kind.status(channel))
          .extracting(Status::getCode)
          .isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(Objects.requireNonNull(trailers.get()).get(X_TRACE_ID)).isEqualTo(REMOTE_TRACE_ID);
    }
    // Not closed here: closing an SDK shuts down the shared exporter (the fixture does, after).
    return expected == 0 ? settle() : otel.awaitSpans(expected);
  }

  /** Every span of the calls made has started by now: waits until they have ended. */
  private List<SpanData> settle() {
    otel.awaitAllEnded();
    return otel.spans();
  }

  @Test
  void baggageIsBoundedEvenWhenTheOfficialInterceptorExtractedIt() throws Exception {
    StringBuilder baggage = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      baggage.append(i == 0 ? "" : ",").append("k").append(i).append("=v");
    }
    Metadata many = new Metadata();
    many.put(Metadata.Key.of("baggage", Metadata.ASCII_STRING_MARSHALLER), baggage.toString());
    ManagedChannel channel = grpc.channel(MetadataUtils.newAttachHeadersInterceptor(many));

    for (Rpcs kind : Rpcs.values()) {
      assertThat(kind.status(channel)).extracting(Status::getCode).isEqualTo(Status.Code.OK);
      assertThat(service.seen.get(kind))
          .as(kind.name())
          .extracting(RecordingService.Seen::baggage)
          .isEqualTo(2);
    }
  }
}
