package io.github.grpcmiddleware.otel;

import io.github.grpcmiddleware.internal.ThreadContexts;
import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;
import io.opentelemetry.api.OpenTelemetry;
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
 * tracestate} headers are combined in order, a key sent again is dropped (the first member is kept)
 * and an otherwise invalid list is discarded whole; a {@code traceparent} sent twice with different
 * values, or invalid, starts a new trace. The span's trace flags, {@code tracestate} and span id
 * are handed to core, so core's client interceptor continues this span (with the server's sampling
 * decision) when the service calls another one.
 *
 * <p>Client: install the client interceptor first (nearest the application), before core's trace
 * client interceptor, which then injects nothing because {@code traceparent} is already there. Per
 * call it starts a CLIENT span (a child of the Context current at {@code newCall}), injects its
 * context, makes it current around every callback ({@code onHeaders}, {@code onMessage}, {@code
 * onReady}, {@code onClose}; a call chained from a response stays in the trace), and ends it
 * exactly once: with the status at {@code onClose}, or {@code CANCELLED} when the call is cancelled
 * before it starts.
 *
 * <p>Own threads: once this class is in use, core's {@code TraceIds.wrap(executor)} and {@code
 * TraceIds.wrap(runnable)} carry the OpenTelemetry Context too (span and baggage), so calls made
 * from such a thread stay in the trace without {@code opentelemetry-grpc-1.6}'s Context bridge.
 *
 * <p>Sampling is decided when the server span starts, before auth: to keep unauthenticated callers
 * from forcing sampling, configure the SDK's sampler to ignore the remote {@code sampled} flag, for
 * example {@code Sampler.parentBasedBuilder(root).setRemoteParentSampled(root)
 * .setRemoteParentNotSampled(root).build()}.
 *
 * <pre>{@code
 * ServerInterceptor chain = ServerChain.builder()
 *     .tracing(GrpcTracing.newServerInterceptor(openTelemetry))
 *     .build();
 * ClientInterceptor client = ClientChain.builder()
 *     .observability(GrpcTracing.newClientInterceptor(openTelemetry))
 *     .tracing(TraceIds.newClientInterceptor())
 *     .build();
 * }</pre>
 *
 * <p>The interceptors are thread-safe.
 */
public final class GrpcTracing {

  static final String INSTRUMENTATION_NAME = "io.github.grpcmiddleware.otel";

  static {
    ThreadContexts.register(OpenTelemetryContextCarrier.INSTANCE);
  }

  private GrpcTracing() {}

  /**
   * Returns the server interceptor with default settings (at most 64 baggage entries of 4096 bytes
   * in all, as the W3C {@code baggage} header carries them on; a span already current at {@code
   * interceptCall} is reused).
   *
   * @param openTelemetry the instance whose tracer and propagators are used; not null
   * @return the interceptor, for the trace slot of {@code ServerChain}; never null
   */
  public static ServerInterceptor newServerInterceptor(OpenTelemetry openTelemetry) {
    return serverBuilder(openTelemetry).build();
  }

  /**
   * Returns a builder for the server interceptor.
   *
   * @param openTelemetry the instance whose tracer and propagators are used; not null
   * @return a new builder; never null
   */
  public static GrpcTracingServerBuilder serverBuilder(OpenTelemetry openTelemetry) {
    return new GrpcTracingServerBuilder(Objects.requireNonNull(openTelemetry, "openTelemetry"));
  }

  /**
   * Returns the client interceptor, which starts a CLIENT span per call and injects its context; it
   * has nothing to configure. Install it before core's trace client interceptor (see the class
   * description).
   *
   * @param openTelemetry the instance whose tracer and propagators are used; not null
   * @return the interceptor; never null
   */
  public static ClientInterceptor newClientInterceptor(OpenTelemetry openTelemetry) {
    Objects.requireNonNull(openTelemetry, "openTelemetry");
    return new GrpcTracingClientInterceptor(
        openTelemetry.getTracer(INSTRUMENTATION_NAME),
        openTelemetry.getPropagators().getTextMapPropagator());
  }
}
