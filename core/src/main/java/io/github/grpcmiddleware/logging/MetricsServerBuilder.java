package io.github.grpcmiddleware.logging;

import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Builds the server metrics interceptor and, optionally, the tracer for unknown methods.
 *
 * <p>Not thread-safe.
 */
public final class MetricsServerBuilder extends MetricsBuilder<MetricsServerBuilder> {
  MetricsServerBuilder(MeterRegistry registry) {
    super(registry);
  }

  @Override
  MetricsServerBuilder self() {
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
