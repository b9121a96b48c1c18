package io.github.grpcmiddleware.otel;

import io.grpc.ServerInterceptor;
import io.opentelemetry.api.OpenTelemetry;

/**
 * Configures the server interceptor of {@link GrpcTracing}: the bounds on incoming baggage and
 * whether a span already current is reused. Obtained from {@link
 * GrpcTracing#serverBuilder(OpenTelemetry)}.
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs, so one builder can build several
 * interceptors.
 */
public final class GrpcTracingServerBuilder {
  private final OpenTelemetry openTelemetry;
  private int maxBaggageEntries = 64;
  private int maxBaggageBytes = 4096;
  private boolean reuseCurrentSpan = true;

  GrpcTracingServerBuilder(OpenTelemetry openTelemetry) {
    this.openTelemetry = openTelemetry;
  }

  /**
   * Bounds the incoming baggage: entries past the limit are dropped.
   *
   * @param entries at least 0; default 64
   * @return this builder
   */
  public GrpcTracingServerBuilder maxBaggageEntries(int entries) {
    this.maxBaggageEntries = entries;
    return this;
  }

  /**
   * Bounds the incoming baggage by its size in bytes as the W3C {@code baggage} header carries it
   * on: each entry's key, {@code =} and percent-encoded value, plus {@code ;} and its
   * percent-encoded metadata (properties) when it has some, and a {@code ,} between entries, as
   * OpenTelemetry's {@code W3CBaggagePropagator} writes them. Entries that do not fit in what is
   * left are dropped, in the baggage's order; smaller ones after them may still fit.
   *
   * @param bytes at least 0; default 4096
   * @return this builder
   */
  public GrpcTracingServerBuilder maxBaggageBytes(int bytes) {
    this.maxBaggageBytes = bytes;
    return this;
  }

  /**
   * Whether the server interceptor reuses a valid span already current at {@code interceptCall}
   * (started by OpenTelemetry's own gRPC instrumentation) instead of starting its own.
   *
   * @param reuse default true
   * @return this builder
   */
  public GrpcTracingServerBuilder reuseCurrentSpan(boolean reuse) {
    this.reuseCurrentSpan = reuse;
    return this;
  }

  /**
   * Builds the server interceptor.
   *
   * @return the interceptor, for the trace slot of {@code ServerChain}; never null
   * @throws IllegalArgumentException when a setting is out of range
   */
  public ServerInterceptor build() {
    if (maxBaggageEntries < 0) {
      throw new IllegalArgumentException(
          "maxBaggageEntries: " + maxBaggageEntries + " (expected: >= 0)");
    }
    if (maxBaggageBytes < 0) {
      throw new IllegalArgumentException(
          "maxBaggageBytes: " + maxBaggageBytes + " (expected: >= 0)");
    }
    return new GrpcTracingServerInterceptor(
        openTelemetry.getTracer(GrpcTracing.INSTRUMENTATION_NAME),
        openTelemetry.getPropagators().getTextMapPropagator(),
        new BaggageLimit(maxBaggageEntries, maxBaggageBytes),
        reuseCurrentSpan);
  }
}
