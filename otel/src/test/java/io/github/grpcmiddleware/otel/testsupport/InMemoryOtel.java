package io.github.grpcmiddleware.otel.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The OpenTelemetry SDK of the tests of otel, examples and reliability: every span recorded is
 * exported at once ({@link SimpleSpanProcessor}) to one {@link InMemorySpanExporter}, and counted
 * while open ({@link #awaitAllEnded()}), with W3C trace-context propagation (and baggage, if asked
 * for). {@link #sdk()} has the SDK's default sampler; {@link #sdk(Sampler)} makes further SDKs with
 * another sampler ({@code Sampler.alwaysOn()} to record even what the caller did not sample) that
 * export to the same place. On a {@code @RegisterExtension} field it closes its SDKs after each
 * test; otherwise call {@link #close()}.
 */
public final class InMemoryOtel implements AutoCloseable, AfterEachCallback {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final OpenSpans openSpans = new OpenSpans();
  private final ContextPropagators propagators;
  private final List<OpenTelemetrySdk> sdks = new CopyOnWriteArrayList<>();
  private final OpenTelemetrySdk sdk;

  private InMemoryOtel(TextMapPropagator propagator) {
    this.propagators = ContextPropagators.create(propagator);
    this.sdk = sdk(Sampler.parentBased(Sampler.alwaysOn())); // the SDK's default
  }

  /** Propagates the W3C {@code traceparent} and {@code tracestate}. */
  public static InMemoryOtel traceContext() {
    return new InMemoryOtel(W3CTraceContextPropagator.getInstance());
  }

  /** Propagates W3C trace context and W3C {@code baggage}. */
  public static InMemoryOtel traceContextAndBaggage() {
    return new InMemoryOtel(
        TextMapPropagator.composite(
            W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance()));
  }

  /**
   * The SDK at default settings, as a service would run it: the parent-based sampler (a new trace
   * and a sampled parent are recorded, a parent that is not sampled is not).
   */
  public OpenTelemetrySdk sdk() {
    return sdk;
  }

  /** A further SDK with {@code sampler}, exporting to the same exporter, closed with this one. */
  public OpenTelemetrySdk sdk(Sampler sampler) {
    OpenTelemetrySdk made =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .setSampler(sampler)
                    .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                    .addSpanProcessor(openSpans) // after the exporter: exported before it ends
                    .build())
            .setPropagators(propagators)
            .build();
    sdks.add(made);
    return made;
  }

  /** The exporter every SDK of this fixture exports to. */
  public InMemorySpanExporter exporter() {
    return exporter;
  }

  /** The spans finished so far, in the order they ended. */
  public List<SpanData> spans() {
    return exporter.getFinishedSpanItems();
  }

  /**
   * Waits up to 10 seconds until {@code count} spans have finished, then until no recorded span is
   * open any more (a second span for the same call would be in by now), and checks that exactly
   * {@code count} spans finished.
   *
   * @return the finished spans, in the order they ended
   */
  public List<SpanData> awaitSpans(int count) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (exporter.getFinishedSpanItems().size() < count && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    awaitAllEnded();
    List<SpanData> spans = exporter.getFinishedSpanItems();
    assertThat(spans).as("finished spans").hasSize(count);
    return spans;
  }

  /** Waits until every span started so far has ended and been exported. */
  public void awaitAllEnded() {
    openSpans.awaitAllEnded();
  }

  /** Forgets the spans finished so far. */
  public void reset() {
    exporter.reset();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    close();
  }

  /** Shuts every SDK of this fixture down. */
  @Override
  public void close() {
    for (OpenTelemetrySdk made : sdks) {
      made.close();
    }
  }
}
