package io.github.grpcmiddleware.metrics;

import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/** One timer per status code for one method, each registered the first time its code is seen. */
final class CodeTimers {

  private static final int CODES = Status.Code.values().length;

  private final AtomicReferenceArray<Timer> timers = new AtomicReferenceArray<>(CODES);
  private final MeterRegistry registry;
  private final String name;
  private final Tags methodTags;
  private final boolean percentileHistogram;

  CodeTimers(MeterRegistry registry, String name, Tags methodTags, boolean percentileHistogram) {
    this.registry = registry;
    this.name = name;
    this.methodTags = methodTags;
    this.percentileHistogram = percentileHistogram;
  }

  void record(Status.Code code, long nanos) {
    int index = code.value();
    Timer timer = timers.get(index);
    if (timer == null) {
      // Registering twice returns the same meter, so a race here is harmless.
      timer =
          Timer.builder(name)
              .tags(methodTags)
              .tag(MeterNames.STATUS_TAG, code.name())
              .publishPercentileHistogram(percentileHistogram)
              .register(registry);
      timers.set(index, timer);
    }
    timer.record(nanos, TimeUnit.NANOSECONDS);
  }
}
