package io.github.grpcmiddleware.metrics;

import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * Configures the server metrics interceptor; obtained from {@link
 * GrpcMetrics#serverBuilder(MeterRegistry)}. Install what it builds with {@code
 * ServerChain.install(serverBuilder, interceptor)} so that it records the status the client got
 * (see {@link GrpcMetrics}).
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs, and the interceptor it returns is
 * immutable and thread-safe.
 */
public final class GrpcMetricsServerBuilder {
  private final MeterRegistry registry;
  private GrpcMetrics.Naming naming = GrpcMetrics.Naming.DEFAULT;
  private boolean percentileHistogram;
  private int maxMethods = 1000;
  private MethodSelector excluded = MethodSelector.none();

  GrpcMetricsServerBuilder(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Sets the naming scheme.
   *
   * @param naming the scheme; not null; default {@link GrpcMetrics.Naming#DEFAULT}
   * @return this builder
   */
  public GrpcMetricsServerBuilder naming(GrpcMetrics.Naming naming) {
    this.naming = Objects.requireNonNull(naming, "naming");
    return this;
  }

  /**
   * Publishes a percentile histogram on the duration timers (for Prometheus and similar).
   *
   * @param enabled true to publish; default false
   * @return this builder
   */
  public GrpcMetricsServerBuilder percentileHistogram(boolean enabled) {
    this.percentileHistogram = enabled;
    return this;
  }

  /**
   * Bounds the number of distinct method tags; further methods are recorded as {@code other}.
   *
   * @param max at least 1; default 1000
   * @return this builder
   */
  public GrpcMetricsServerBuilder maxMethods(int max) {
    this.maxMethods = max;
    return this;
  }

  /**
   * Leaves the selected methods unmeasured; their calls pass through untouched.
   *
   * @param methods the methods not to measure; not null; default none
   * @return this builder
   */
  public GrpcMetricsServerBuilder exclude(MethodSelector methods) {
    this.excluded = Objects.requireNonNull(methods, "methods");
    return this;
  }

  /**
   * Builds the interceptor.
   *
   * @return the interceptor; never null
   * @throws IllegalArgumentException when a setting is out of range
   */
  public ServerInterceptor build() {
    MeterCache cache =
        new MeterCache(registry, MeterNames.server(naming), percentileHistogram, maxMethods);
    return new GrpcMetricsServerInterceptor(cache, excluded);
  }
}
