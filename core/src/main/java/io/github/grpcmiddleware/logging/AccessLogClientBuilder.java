package io.github.grpcmiddleware.logging;

import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.ClientInterceptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Configures the client access-log interceptor; obtained from {@link AccessLog#clientBuilder()}.
 * Install what it builds nearest the application (first), so it times the whole call as the
 * application sees it. Default levels as on the server: INFO, and WARN for {@code INTERNAL}, {@code
 * UNKNOWN} and {@code DATA_LOSS}.
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs, and the interceptor it returns is
 * thread-safe.
 */
public final class AccessLogClientBuilder {
  private final AccessLogSettings settings = new AccessLogSettings(AccessLog.CLIENT_LOGGER_NAME);

  AccessLogClientBuilder() {}

  /**
   * Sets the logger lines are written to.
   *
   * @param logger the logger; not null
   * @return this builder
   */
  public AccessLogClientBuilder logger(Logger logger) {
    settings.logger = Objects.requireNonNull(logger, "logger");
    return this;
  }

  /**
   * Sets the level at which calls that ended with {@code code} are logged.
   *
   * @param code the status code; not null
   * @param level the level, or {@code null} to not log such calls at all (unless slow)
   * @return this builder
   */
  public AccessLogClientBuilder level(Status.Code code, @Nullable Level level) {
    settings.levels.put(Objects.requireNonNull(code, "code"), level);
    return this;
  }

  /**
   * Logs calls that took at least {@code threshold} at the slow-call level (WARN unless changed)
   * when that is higher than their code's level, and marks them {@code slow}.
   *
   * @param threshold positive; not null
   * @return this builder
   */
  public AccessLogClientBuilder slowCallThreshold(Duration threshold) {
    settings.slowCallThreshold = Objects.requireNonNull(threshold, "threshold");
    return this;
  }

  /**
   * Sets the level of slow calls (see {@link #slowCallThreshold}).
   *
   * @param level the level; not null; default WARN
   * @return this builder
   */
  public AccessLogClientBuilder slowCallLevel(Level level) {
    settings.slowCallLevel = Objects.requireNonNull(level, "level");
    return this;
  }

  /**
   * Leaves the selected methods out of the access log; their calls pass through untouched. Use it
   * for noisy methods such as health checks: {@code MethodSelector.of("grpc.health.v1.Health/*")}.
   *
   * @param methods the methods not to log; not null; default none
   * @return this builder
   */
  public AccessLogClientBuilder exclude(MethodSelector methods) {
    settings.excluded = Objects.requireNonNull(methods, "methods");
    return this;
  }

  /**
   * Builds the interceptor.
   *
   * @return the interceptor; never null
   * @throws IllegalArgumentException when a setting is out of range
   */
  public ClientInterceptor build() {
    return new AccessLogClientInterceptor(settings.writer("client"), settings.excluded);
  }
}
