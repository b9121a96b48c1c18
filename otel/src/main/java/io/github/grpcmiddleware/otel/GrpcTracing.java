package io.github.grpcmiddleware.otel;

import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.Objects;

/**
 * Entry point for OpenTelemetry tracing of gRPC calls: a server interceptor that owns the call's
 * trace id, and a client interceptor that continues the trace.
 *
 * <p>It uses only the {@link OpenTelemetry} instance it is given (its tracer and propagators; W3C
 * {@code traceparent} and {@code baggage} when configured so), never the global instance.
 *
 * <p>Server: install the server interceptor in the trace slot, outermost, in place of {@code
 * TraceIds.newServerInterceptor()}. Per call it extracts the remote context from the headers,
 * starts a SERVER span named after the full method with the RPC semantic-convention attributes
 * ({@code rpc.system=grpc}, {@code rpc.service}, {@code rpc.method}, {@code server.address}, {@code
 * server.port}, {@code network.peer.address}, {@code network.peer.port} where known), makes its
 * Context current around every listener callback, and ends it once with the status the caller
 * received ({@code rpc.grpc.status_code}). The span's ids become the call's trace id in core's
 * {@code TraceIds}, in the MDC ({@code traceId}, {@code spanId}) and in the {@code x-trace-id}
 * echo. When a valid span is already current at {@code interceptCall} (OpenTelemetry's own gRPC
 * instrumentation, installed outside this one, started it) no second span is started: its ids are
 * mirrored. Baggage beyond the configured bounds is dropped, in that case too.
 *
 * <p>Before the propagator reads the headers, the server applies core's W3C rules: repeated {@code
 * tracestate} headers are combined in order and an invalid list is discarded whole; a {@code
 * traceparent} sent twice with different values, or invalid, starts a new trace. The span's trace
 * flags, {@code tracestate} and span id are handed to core, so core's client interceptor continues
 * this span (with the server's sampling decision) when the service calls another one.
 *
 * <p>Client: install the client interceptor first (nearest the application), before core's trace
 * client interceptor, which then injects nothing because {@code traceparent} is already there.
 *
 * <p>Sampling is decided when the server span starts, before auth: to keep unauthenticated callers
 * from forcing sampling, configure the SDK's sampler to ignore the remote {@code sampled} flag, for
 * example {@code Sampler.parentBasedBuilder(root).setRemoteParentSampled(root)
 * .setRemoteParentNotSampled(root).build()}.
 *
 * <p>This class is thread-safe.
 */
public final class GrpcTracing {

  static final String INSTRUMENTATION_NAME = "io.github.grpcmiddleware.otel";

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final int maxBaggageEntries;
  private final int maxBaggageBytes;
  private final boolean reuseCurrentSpan;

  private GrpcTracing(Builder builder) {
    this.tracer = builder.openTelemetry.getTracer(INSTRUMENTATION_NAME);
    this.propagator = builder.openTelemetry.getPropagators().getTextMapPropagator();
    this.maxBaggageEntries = builder.maxBaggageEntries;
    this.maxBaggageBytes = builder.maxBaggageBytes;
    this.reuseCurrentSpan = builder.reuseCurrentSpan;
  }

  /**
   * Returns tracing with default settings.
   *
   * @param openTelemetry the instance whose tracer and propagators are used; not null
   * @return the tracing; never null
   */
  public static GrpcTracing create(OpenTelemetry openTelemetry) {
    return builder(openTelemetry).build();
  }

  /**
   * Returns a builder.
   *
   * @param openTelemetry the instance whose tracer and propagators are used; not null
   * @return a new builder
   */
  public static Builder builder(OpenTelemetry openTelemetry) {
    return new Builder(Objects.requireNonNull(openTelemetry, "openTelemetry"));
  }

  /**
   * Returns the server interceptor; see the class description for where it goes.
   *
   * @return the interceptor; never null
   */
  public ServerInterceptor newServerInterceptor() {
    return new TracingServerInterceptor(
        tracer, propagator, new BaggageLimit(maxBaggageEntries, maxBaggageBytes), reuseCurrentSpan);
  }

  /**
   * Returns the client interceptor; see the class description for where it goes.
   *
   * @return the interceptor; never null
   */
  public ClientInterceptor newClientInterceptor() {
    return new TracingClientInterceptor(tracer, propagator);
  }

  /** Configures {@link GrpcTracing}. Not thread-safe; {@link #build()} copies what it needs. */
  public static final class Builder {
    private final OpenTelemetry openTelemetry;
    private int maxBaggageEntries = 64;
    private int maxBaggageBytes = 4096;
    private boolean reuseCurrentSpan = true;

    private Builder(OpenTelemetry openTelemetry) {
      this.openTelemetry = openTelemetry;
    }

    /**
     * Bounds the incoming baggage: entries past the limit are dropped.
     *
     * @param entries at least 0; default 64
     * @return this builder
     */
    public Builder maxBaggageEntries(int entries) {
      this.maxBaggageEntries = entries;
      return this;
    }

    /**
     * Bounds the incoming baggage by the size of its keys and values (UTF-16 characters): entries
     * past the limit are dropped.
     *
     * @param bytes at least 0; default 4096
     * @return this builder
     */
    public Builder maxBaggageBytes(int bytes) {
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
    public Builder reuseCurrentSpan(boolean reuse) {
      this.reuseCurrentSpan = reuse;
      return this;
    }

    /**
     * Builds the tracing.
     *
     * @return the tracing; never null
     * @throws IllegalArgumentException when a setting is out of range
     */
    public GrpcTracing build() {
      if (maxBaggageEntries < 0) {
        throw new IllegalArgumentException(
            "maxBaggageEntries: " + maxBaggageEntries + " (expected: >= 0)");
      }
      if (maxBaggageBytes < 0) {
        throw new IllegalArgumentException(
            "maxBaggageBytes: " + maxBaggageBytes + " (expected: >= 0)");
      }
      return new GrpcTracing(this);
    }
  }
}
