package io.github.grpcmiddleware.metrics;

import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * Entry point for Micrometer metrics per method and status code, on the server and the client.
 *
 * <p>Meters (default names; {@link Naming#A66} switches to gRPC's A66 names): {@code
 * grpc.server.calls.started} (counter), {@code grpc.server.calls} (timer, the call's duration),
 * {@code grpc.server.messages.sent} and {@code grpc.server.messages.received} (counters), and the
 * same with {@code grpc.client.}. Tags: {@code grpc.method} (the full method name, taken from the
 * method descriptor, never from headers) and, on timers, {@code grpc.status} (the code's name).
 *
 * <p>The status recorded is the one the caller received, once per call. Install the server
 * interceptor (alone or in a chain) with {@code ServerChain.install(serverBuilder, interceptor)}:
 * its stream tracer reports the status the transport sent, also for calls grpc-java closes itself
 * past every interceptor (a request that does not decode, a response that fails to serialize), and
 * the calls to methods the server does not know, which are counted under one method tag, {@value
 * #UNKNOWN_METHOD}. Registered with a bare {@code ServerBuilder.intercept}, the interceptor records
 * the status the outermost part of the chain saw closing the call, the cancel or deadline code
 * after a cancel, and {@code UNKNOWN} for a call that completed without a close it could see; it
 * cannot count unknown methods. The message counters are incremented when the call ends.
 *
 * <p>micrometer-core is an optional dependency of this artifact: only this package touches it, so
 * services that never use it need no Micrometer.
 *
 * <p>This class is thread-safe.
 */
public final class GrpcMetrics {

  /** Method tag value of calls to methods the server does not know. */
  public static final String UNKNOWN_METHOD = "unknown";

  private GrpcMetrics() {}

  /** Meter naming schemes. */
  public enum Naming {
    /**
     * {@code grpc.server.calls.started}, {@code grpc.server.calls}, ... (see {@link GrpcMetrics}).
     */
    DEFAULT,
    /**
     * gRPC's A66 names: {@code grpc.server.call.started}, {@code grpc.server.call.duration}, {@code
     * grpc.client.attempt.started}, {@code grpc.client.attempt.duration} (per attempt, from a
     * stream tracer) and {@code grpc.client.call.duration}. A66 has no message counts; they are
     * named {@code grpc.server.call.messages.sent} etc. here. The {@code grpc.target} tag and the
     * size metrics are not recorded.
     */
    A66
  }

  /**
   * Returns a builder for the server interceptor.
   *
   * @param registry where meters are registered; not null
   * @return a new builder
   */
  public static GrpcMetricsServerBuilder serverBuilder(MeterRegistry registry) {
    return new GrpcMetricsServerBuilder(Objects.requireNonNull(registry, "registry"));
  }

  /**
   * Returns the server interceptor with default settings; see {@link GrpcMetricsServerBuilder}.
   *
   * @param registry where meters are registered; not null
   * @return the interceptor; never null
   */
  public static ServerInterceptor newServerInterceptor(MeterRegistry registry) {
    return serverBuilder(registry).build();
  }

  /**
   * Returns the client interceptor with default settings; see {@link GrpcMetricsClientBuilder}.
   *
   * @param registry where meters are registered; not null
   * @return the interceptor; never null
   */
  public static ClientInterceptor newClientInterceptor(MeterRegistry registry) {
    return clientBuilder(registry).build();
  }

  /**
   * Returns a builder for the client interceptor.
   *
   * @param registry where meters are registered; not null
   * @return a new builder
   */
  public static GrpcMetricsClientBuilder clientBuilder(MeterRegistry registry) {
    return new GrpcMetricsClientBuilder(Objects.requireNonNull(registry, "registry"));
  }
}
