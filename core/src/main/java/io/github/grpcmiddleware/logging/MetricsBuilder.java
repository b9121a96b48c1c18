package io.github.grpcmiddleware.logging;

import io.github.grpcmiddleware.selector.MethodSelector;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * Settings shared by server and client metrics. Not thread-safe; {@code build()} copies what it
 * needs.
 *
 * @param <B> the concrete builder type
 */
abstract class MetricsBuilder<B extends MetricsBuilder<B>> {
  final MeterRegistry registry;
  GrpcMetrics.Naming naming = GrpcMetrics.Naming.DEFAULT;
  boolean percentileHistogram;
  int maxMethods = 1000;
  MethodSelector excluded = MethodSelector.none();

  MetricsBuilder(MeterRegistry registry) {
    this.registry = registry;
  }

  abstract B self();

  /**
   * Sets the naming scheme.
   *
   * @param naming the scheme; not null; default {@link GrpcMetrics.Naming#DEFAULT}
   * @return this builder
   */
  public B naming(GrpcMetrics.Naming naming) {
    this.naming = Objects.requireNonNull(naming, "naming");
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
    this.excluded = Objects.requireNonNull(methods, "methods");
    return self();
  }

  final void validate() {
    if (maxMethods < 1) {
      throw new IllegalArgumentException("maxMethods: " + maxMethods + " (expected: >= 1)");
    }
  }
}
