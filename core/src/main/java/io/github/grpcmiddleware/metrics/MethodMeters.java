package io.github.grpcmiddleware.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.jspecify.annotations.Nullable;

/** The meters of one method, registered once and reused by every call: no tag arrays per call. */
final class MethodMeters {

  /** Counts calls, or attempts when {@link #attemptTracers} is set (A66 client). */
  final Counter started;

  final Counter sent;
  final Counter received;
  final CodeTimers callDuration;

  /**
   * Counts and times the attempts of each call (A66 client only, else null): the one stream tracer
   * factory every call of the method adds to its options.
   */
  final GrpcMetricsClientInterceptor.@Nullable AttemptTracerFactory attemptTracers;

  MethodMeters(
      MeterRegistry registry, MeterNames names, String method, boolean percentileHistogram) {
    Tags tags = Tags.of(MeterNames.METHOD_TAG, method);
    this.started = Counter.builder(names.started).tags(tags).register(registry);
    this.sent = Counter.builder(names.sent).tags(tags).register(registry);
    this.received = Counter.builder(names.received).tags(tags).register(registry);
    this.callDuration = new CodeTimers(registry, names.duration, tags, percentileHistogram);
    this.attemptTracers =
        names.attemptDuration == null
            ? null
            : new GrpcMetricsClientInterceptor.AttemptTracerFactory(
                started,
                new CodeTimers(registry, names.attemptDuration, tags, percentileHistogram));
  }
}
