package io.github.grpcmiddleware.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Meters per method name, bounded: past {@code maxMethods} distinct names every further method is
 * recorded under {@link #OTHER}, so no caller can grow the number of time series without limit.
 */
final class MeterCache {

  static final String OTHER = "other";

  private final ConcurrentMap<String, MethodMeters> byMethod = new ConcurrentHashMap<>();
  private final MeterRegistry registry;
  private final MeterNames names;
  private final boolean percentileHistogram;
  private final int maxMethods;

  /** Validates the builders' settings: {@code IllegalArgumentException} when out of range. */
  MeterCache(
      MeterRegistry registry, MeterNames names, boolean percentileHistogram, int maxMethods) {
    if (maxMethods < 1) {
      throw new IllegalArgumentException("maxMethods: " + maxMethods + " (expected: >= 1)");
    }
    this.registry = registry;
    this.names = names;
    this.percentileHistogram = percentileHistogram;
    this.maxMethods = maxMethods;
  }

  MethodMeters forMethod(String fullMethodName) {
    MethodMeters meters = byMethod.get(fullMethodName);
    if (meters != null) {
      return meters;
    }
    String name = byMethod.size() >= maxMethods ? OTHER : fullMethodName;
    return byMethod.computeIfAbsent(
        name, n -> new MethodMeters(registry, names, n, percentileHistogram));
  }
}
