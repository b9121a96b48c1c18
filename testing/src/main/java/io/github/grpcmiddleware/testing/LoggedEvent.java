package io.github.grpcmiddleware.testing;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One log event captured by {@link LogCapture}, copied when it was logged: later MDC changes on the
 * logging thread do not affect it.
 *
 * <p>This class is immutable and thread-safe.
 */
public final class LoggedEvent {
  private final String level;
  private final String loggerName;
  private final String message;
  private final Map<String, String> mdc;
  private final Map<String, @Nullable Object> keyValues;
  private final @Nullable Throwable throwable;
  private final String threadName;

  LoggedEvent(
      String level,
      String loggerName,
      String message,
      Map<String, String> mdc,
      Map<String, @Nullable Object> keyValues,
      @Nullable Throwable throwable,
      String threadName) {
    this.level = level;
    this.loggerName = loggerName;
    this.message = message;
    this.mdc = mdc;
    this.keyValues = keyValues;
    this.throwable = throwable;
    this.threadName = threadName;
  }

  /**
   * Returns the level name: {@code TRACE}, {@code DEBUG}, {@code INFO}, {@code WARN} or {@code
   * ERROR}.
   *
   * @return the level; never null
   */
  public String level() {
    return level;
  }

  /**
   * Returns the name of the logger that logged the event.
   *
   * @return the name; never null
   */
  public String loggerName() {
    return loggerName;
  }

  /**
   * Returns the message with its arguments filled in.
   *
   * @return the formatted message; never null
   */
  public String message() {
    return message;
  }

  /**
   * Returns the MDC of the logging thread when the event was logged.
   *
   * @return an unmodifiable map; never null, may be empty
   */
  public Map<String, String> mdc() {
    return mdc;
  }

  /**
   * Returns the key-value pairs the event was logged with through SLF4J 2's fluent API ({@code
   * log.atInfo().addKeyValue("grpc.code", "OK").log(...)}), the structured fields of an access log
   * line for example. They are not part of {@link #message()}.
   *
   * @return an unmodifiable map in the order the pairs were added (a key added twice keeps its last
   *     value); never null, empty when none were added; values may be null
   */
  public Map<String, @Nullable Object> keyValues() {
    return keyValues;
  }

  /**
   * Returns the logged throwable.
   *
   * @return the throwable, or null when none was logged
   */
  public @Nullable Throwable throwable() {
    return throwable;
  }

  /**
   * Returns the name of the thread that logged the event.
   *
   * @return the name; never null
   */
  public String threadName() {
    return threadName;
  }

  @Override
  public String toString() {
    return level
        + " ["
        + threadName
        + "] "
        + loggerName
        + " - "
        + message
        + (keyValues.isEmpty() ? "" : " " + keyValues)
        + (mdc.isEmpty() ? "" : " " + mdc)
        + (throwable == null ? "" : " " + throwable);
  }
}
