package io.github.grpcmiddleware.otel;

import static io.github.grpcmiddleware.otel.TwoHops.TRACEPARENT;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.chain.ClientChain;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.Metadata;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sampling across core's client and a server whose OpenTelemetry SDK has default settings
 * (parent-based sampler): core's calls are recorded, an upstream tracer's decision is kept.
 */
class SamplingTest {
  private final TwoHops hops = new TwoHops();

  SamplingTest() throws IOException {}

  @AfterEach
  void close() {
    hops.close();
  }

  private SpanData onlyServerSpan(String echoed) {
    List<SpanData> spans = hops.otel.spans();
    assertThat(spans).as("the server span is recorded").hasSize(1);
    SpanData span = spans.get(0);
    assertThat(span.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(span.getTraceId()).isEqualTo(echoed).isEqualTo(hops.handlerMdc.get());
    return span;
  }

  private void assertBContinues(SpanData server) {
    assertThat(hops.lastAtB().get(TRACEPARENT))
        .isEqualTo("00-" + server.getTraceId() + "-" + server.getSpanId() + "-01");
  }

  @Test
  void callFromCoresClientInterceptorIsRecorded() {
    String echoed = hops.call(new Metadata(), TraceIds.newClientInterceptor());

    SpanData server = onlyServerSpan(echoed);
    assertThat(server.getParentSpanContext().isRemote()).isTrue();
    assertBContinues(server);
  }

  @Test
  void callFromClientChainTracingIsRecorded() {
    String echoed =
        hops.call(
            new Metadata(), ClientChain.builder().tracing(TraceIds.newClientInterceptor()).build());

    assertBContinues(onlyServerSpan(echoed));
  }

  @Test
  void callWithoutAnyClientTracePartIsRecorded() {
    String echoed = hops.call(new Metadata());

    SpanData server = onlyServerSpan(echoed);
    assertThat(server.getParentSpanContext().isValid()).isFalse();
    assertBContinues(server);
  }

  @Test
  void sampleNewTracesFalseLetsTheServerRecordNothing() {
    String echoed =
        hops.call(new Metadata(), TraceIds.clientBuilder().sampleNewTraces(false).build());

    assertThat(hops.otel.spans()).isEmpty();
    assertThat(hops.handlerSpan().getTraceId()).isEqualTo(echoed);
    assertThat(hops.lastAtB().get(TRACEPARENT)).matches("00-" + echoed + "-[0-9a-f]{16}-00");
  }

  @Test
  void anOpenTelemetryClientsNotSampledDecisionIsNeverOverridden() {
    // The upstream service's SDK has default settings and continues a trace its own caller did
    // not sample: its client span is valid and not sampled, so it sends flags 00.
    OpenTelemetry upstream =
        OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    SpanContext notSampled =
        SpanContext.createFromRemoteParent(
            "4bf92f3577b34da6a3ce929d0e0e4736",
            "00f067aa0ba902b7",
            TraceFlags.getDefault(),
            TraceState.getDefault());
    String echoed;
    try (Scope ignored = Context.root().with(Span.wrap(notSampled)).makeCurrent()) {
      // As GrpcTracing's Javadoc says: OpenTelemetry's client nearest the application, core's
      // (which then injects nothing) after it.
      echoed =
          hops.call(
              new Metadata(),
              TraceIds.newClientInterceptor(),
              GrpcTracing.newClientInterceptor(upstream));
    }

    assertThat(echoed).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(hops.otel.spans()).as("nothing recorded").isEmpty();
    assertThat(hops.handlerSpan().isSampled()).isFalse();
    assertThat(hops.handlerSpan().getTraceId()).isEqualTo(echoed);
    assertThat(hops.lastAtB().get(TRACEPARENT)).matches("00-" + echoed + "-[0-9a-f]{16}-00");
  }
}
