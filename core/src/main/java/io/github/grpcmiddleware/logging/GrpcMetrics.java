package io.github.grpcmiddleware.logging;

import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.MeterRegistry;

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
 * <p>micrometer-core is an optional dependency of this artifact: only this class and the classes it
 * builds touch it, so services that never call it need no Micrometer.
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
  public static ServerBuilder serverBuilder(MeterRegistry registry) {
    return new ServerBuilder(registry);
  }

  /**
   * Returns a builder for the client interceptor.
   *
   * @param registry where meters are registered; not null
   * @return a new builder
   */
  public static ClientBuilder clientBuilder(MeterRegistry registry) {
    return new ClientBuilder(registry);
  }

  /**
   * Settings shared by server and client metrics. Not thread-safe; {@code build()} copies what it
   * needs.
   *
   * @param <B> the concrete builder type
   */
  public abstract static class Builder<B extends Builder<B>> {
    final MeterRegistry registry;
    Naming naming = Naming.DEFAULT;
    boolean percentileHistogram;
    int maxMethods = 1000;
    MethodSelector excluded = MethodSelector.none();

    Builder(MeterRegistry registry) {
      this.registry = registry;
    }

    abstract B self();

    /**
     * Sets the naming scheme.
     *
     * @param naming the scheme; not null; default {@link Naming#DEFAULT}
     * @return this builder
     */
    public B naming(Naming naming) {
      this.naming = naming;
      return self();
    }

    /**
     * Publishes a percentile histogram on the duration timers (for Prometheus and similar).
     *
     * @param enabled true to publish; default false
     * @return this builder
     */
    public B percentileHistogram(boolean enabled) {
      this.percentileHistogram = enabled;
      return self();
    }

    /**
     * Bounds the number of distinct method tags; further methods are recorded as {@code other}.
     *
     * @param max at least 1; default 1000
     * @return this builder
     */
    public B maxMethods(int max) {
      this.maxMethods = max;
      return self();
    }

    /**
     * Leaves the selected methods unmeasured; their calls pass through untouched.
     *
     * @param methods the methods not to measure; not null; default none
     * @return this builder
     */
    public B exclude(MethodSelector methods) {
      this.excluded = methods;
      return self();
    }

    final void validate() {
      if (maxMethods < 1) {
        throw new IllegalArgumentException("maxMethods: " + maxMethods + " (expected: >= 1)");
      }
    }
  }

  /**
   * Builds the server metrics interceptor and, optionally, the tracer for unknown methods.
   *
   * <p>Not thread-safe.
   */
  public static final class ServerBuilder extends Builder<ServerBuilder> {
    ServerBuilder(MeterRegistry registry) {
      super(registry);
    }

    @Override
    ServerBuilder self() {
      return this;
    }

    /**
     * Builds the interceptor.
     *
     * @return the interceptor; never null
     * @throws IllegalArgumentException when a setting is out of range
     */
    public ServerInterceptor build() {
      validate();
      MeterCache cache =
          new MeterCache(registry, MeterNames.server(naming), percentileHistogram, maxMethods);
      return new MetricsServerInterceptor(cache, excluded);
    }
  }

  /**
   * Builds the client metrics interceptor; install it nearest the application (first).
   *
   * <p>Not thread-safe.
   */
  public static final class ClientBuilder extends Builder<ClientBuilder> {
    ClientBuilder(MeterRegistry registry) {
      super(registry);
    }

    @Override
    ClientBuilder self() {
      return this;
    }

    /**
     * Builds the interceptor.
     *
     * @return the interceptor; never null
     * @throws IllegalArgumentException when a setting is out of range
     */
    public ClientInterceptor build() {
      validate();
      MeterCache cache =
          new MeterCache(registry, MeterNames.client(naming), percentileHistogram, maxMethods);
      return new MetricsClientInterceptor(cache, excluded);
    }
  }
}
