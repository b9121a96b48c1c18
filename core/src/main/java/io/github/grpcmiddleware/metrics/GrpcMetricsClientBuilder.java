package io.github.grpcmiddleware.metrics;

import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.ClientInterceptor;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * Configures the client metrics interceptor; obtained from {@link
 * GrpcMetrics#clientBuilder(MeterRegistry)}. Install what it builds nearest the application
 * (first).
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs, and the interceptor it returns is
 * immutable and thread-safe.
 */
public final class GrpcMetricsClientBuilder {
  private final MeterRegistry registry;
  private GrpcMetrics.Naming naming = GrpcMetrics.Naming.DEFAULT;
  private boolean percentileHistogram;
  private int maxMethods = 1000;
  private MethodSelector excluded = MethodSelector.none();

  GrpcMetricsClientBuilder(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Sets the naming scheme.
   *
   * @param naming the scheme; not null; default {@link GrpcMetrics.Naming#DEFAULT}
   * @return this builder
   */
  public GrpcMetricsClientBuilder naming(GrpcMetrics.Naming naming) {
    this.naming = Objects.requireNonNull(naming, "naming");
    return this;
  }

  /**
   * Publishes a percentile histogram on the duration timers (for Prometheus and similar).
   *
   * @param enabled true to publish; default false
   * @return this builder
   */
  public GrpcMetricsClientBuilder percentileHistogram(boolean enabled) {
    this.percentileHistogram = enabled;
    return this;
  }

  /**
   * Bounds the number of distinct method tags; further methods are recorded as {@code other}.
   *
   * @param max at least 1; default 1000
   * @return this builder
   */
  public GrpcMetricsClientBuilder maxMethods(int max) {
    this.maxMethods = max;
    return this;
  }

  /**
   * Leaves the selected methods unmeasured; their calls pass through untouched.
   *
   * @param methods the methods not to measure; not null; default none
   * @return this builder
   */
  public GrpcMetricsClientBuilder exclude(MethodSelector methods) {
    this.excluded = Objects.requireNonNull(methods, "methods");
    return this;
  }

  /**
   * Builds the interceptor.
   *
   * @return the interceptor; never null
   * @throws IllegalArgumentException when a setting is out of range
   */
  public ClientInterceptor build() {
    MeterCache cache =
        new MeterCache(registry, MeterNames.client(naming), percentileHistogram, maxMethods);
    return new GrpcMetricsClientInterceptor(cache, excluded);
  }
}
