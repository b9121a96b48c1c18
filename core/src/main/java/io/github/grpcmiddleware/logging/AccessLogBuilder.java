package io.github.grpcmiddleware.logging;

import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.Status;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Settings shared by the server and client access log.
 *
 * <p>Default levels: INFO for every code except {@code INTERNAL}, {@code UNKNOWN} and {@code
 * DATA_LOSS}, which are WARN (error mapping already logs the exception itself at ERROR, so a
 * failure gives one ERROR line). Not thread-safe; {@code build()} copies what it needs.
 *
 * @param <B> the concrete builder type
 */
abstract class AccessLogBuilder<B extends AccessLogBuilder<B>> {
  private final String defaultLoggerName;
  private @Nullable Logger logger;
  private final Map<Status.Code, @Nullable Level> levels = new EnumMap<>(Status.Code.class);
  private @Nullable Duration slowCallThreshold;
  private Level slowCallLevel = Level.WARN;
  private MethodSelector excluded = MethodSelector.none();

  AccessLogBuilder(String defaultLoggerName) {
    this.defaultLoggerName = defaultLoggerName;
    for (Status.Code code : Status.Code.values()) {
      levels.put(code, Level.INFO);
    }
    levels.put(Status.Code.INTERNAL, Level.WARN);
    levels.put(Status.Code.UNKNOWN, Level.WARN);
    levels.put(Status.Code.DATA_LOSS, Level.WARN);
  }

  abstract B self();

  /**
   * Sets the logger lines are written to.
   *
   * @param logger the logger; not null
   * @return this builder
   */
  public B logger(Logger logger) {
    this.logger = Objects.requireNonNull(logger, "logger");
    return self();
  }

  /**
   * Sets the level at which calls that ended with {@code code} are logged.
   *
   * @param code the status code; not null
   * @param level the level, or {@code null} to not log such calls at all (unless slow)
   * @return this builder
   */
  public B level(Status.Code code, @Nullable Level level) {
    levels.put(Objects.requireNonNull(code, "code"), level);
    return self();
  }

  /**
   * Logs calls that took at least {@code threshold} at the slow-call level (WARN unless changed)
   * when that is higher than their code's level, and marks them {@code slow}.
   *
   * @param threshold positive; not null
   * @return this builder
   */
  public B slowCallThreshold(Duration threshold) {
    this.slowCallThreshold = Objects.requireNonNull(threshold, "threshold");
    return self();
  }

  /**
   * Sets the level of slow calls (see {@link #slowCallThreshold}).
   *
   * @param level the level; not null; default WARN
   * @return this builder
   */
  public B slowCallLevel(Level level) {
    this.slowCallLevel = Objects.requireNonNull(level, "level");
    return self();
  }

  /**
   * Leaves the selected methods out of the access log; their calls pass through untouched. Use it
   * for noisy methods such as health checks: {@code MethodSelector.of("grpc.health.v1.Health/*")}.
   *
   * @param methods the methods not to log; not null; default none
   * @return this builder
   */
  public B exclude(MethodSelector methods) {
    this.excluded = Objects.requireNonNull(methods, "methods");
    return self();
  }

  final AccessLogWriter writer(String side) {
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

  final MethodSelector excluded() {
    return excluded;
  }
}
