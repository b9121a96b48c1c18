package io.github.grpcmiddleware.logging;

import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.Status;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The settings the server and client access-log builders share, with their defaults: INFO for every
 * code except {@code INTERNAL}, {@code UNKNOWN} and {@code DATA_LOSS}, which are WARN (error
 * mapping already logs the exception itself at ERROR, so a failure gives one ERROR line). The
 * builders check arguments for null; {@link #writer(String)} validates the rest. Not thread-safe.
 */
final class AccessLogSettings {
  private final String defaultLoggerName;
  @Nullable Logger logger;
  final Map<Status.Code, @Nullable Level> levels = new EnumMap<>(Status.Code.class);
  @Nullable Duration slowCallThreshold;
  Level slowCallLevel = Level.WARN;
  MethodSelector excluded = MethodSelector.none();

  AccessLogSettings(String defaultLoggerName) {
    this.defaultLoggerName = defaultLoggerName;
    for (Status.Code code : Status.Code.values()) {
      levels.put(code, Level.INFO);
    }
    levels.put(Status.Code.INTERNAL, Level.WARN);
    levels.put(Status.Code.UNKNOWN, Level.WARN);
    levels.put(Status.Code.DATA_LOSS, Level.WARN);
  }

  AccessLogWriter writer(String side) {
    long slowNanos = Long.MAX_VALUE;
    if (slowCallThreshold != null) {
      if (slowCallThreshold.isNegative() || slowCallThreshold.isZero()) {
        throw new IllegalArgumentException(
            "slowCallThreshold: " + slowCallThreshold + " (expected: > 0)");
      }
      slowNanos = slowCallThreshold.toNanos();
    }
    @Nullable Level[] byCode = new Level[Status.Code.values().length];
    for (Map.Entry<Status.Code, @Nullable Level> e : levels.entrySet()) {
      byCode[e.getKey().value()] = e.getValue();
    }
    Logger target = logger != null ? logger : LoggerFactory.getLogger(defaultLoggerName);
    return new AccessLogWriter(target, side, byCode, slowNanos, slowCallLevel);
  }
}
