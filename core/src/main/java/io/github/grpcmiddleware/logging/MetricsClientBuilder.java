package io.github.grpcmiddleware.logging;

import io.grpc.ClientInterceptor;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Builds the client metrics interceptor; install it nearest the application (first).
 *
 * <p>Not thread-safe.
 */
public final class MetricsClientBuilder extends MetricsBuilder<MetricsClientBuilder> {
  MetricsClientBuilder(MeterRegistry registry) {
    super(registry);
  }

  @Override
  MetricsClientBuilder self() {
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
