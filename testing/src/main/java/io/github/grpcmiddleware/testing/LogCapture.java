package io.github.grpcmiddleware.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * A JUnit 5 extension that captures log events of one logger (and its children) during each test,
 * through logback.
 *
 * <pre>{@code
 * @RegisterExtension final LogCapture logs = LogCapture.forLogger("io.github.grpcmiddleware");
 *
 * @Test void logsOnce() {
 *   ...
 *   LoggedEvent line = logs.await(e -> e.level().equals("ERROR"), Duration.ofSeconds(5));
 *   assertThat(line.mdc()).containsKey("traceId");
 * }
 * }</pre>
 *
 * <p>An appender is attached before each test and detached after it (on a static or an instance
 * field alike); events are copied when logged (level, logger, formatted message, MDC, throwable,
 * thread), so they stay right after the logging thread moves on. With {@link #atLevel(String)} the
 * logger's level is lowered for the test and restored afterwards. Events logged on server threads
 * may arrive after the client has its response: use {@link #await}.
 *
 * <p>Needs {@code ch.qos.logback:logback-classic} as the SLF4J backend (an optional dependency of
 * this module; logback 1.5 runs on Java 11+). This class is thread-safe.
 */
public final class LogCapture implements BeforeEachCallback, AfterEachCallback {
  private final String loggerName;
  private final @Nullable String level;
  private final List<LoggedEvent> events = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  private @Nullable CapturingAppender appender;
  private @Nullable Level previousLevel;

  private LogCapture(String loggerName, @Nullable String level) {
    this.loggerName = loggerName;
    this.level = level;
  }

  /**
   * Captures the events of the root logger, that is every event that passes its logger's level.
   *
   * @return the extension; never null
   */
  public static LogCapture forRootLogger() {
    return new LogCapture(org.slf4j.Logger.ROOT_LOGGER_NAME, null);
  }

  /**
   * Captures the events of a logger and its children.
   *
   * @param loggerName the logger name, for example a package; not null, not empty
   * @return the extension; never null
   * @throws IllegalArgumentException when the name is empty
   */
  public static LogCapture forLogger(String loggerName) {
    if (loggerName.isEmpty()) {
      throw new IllegalArgumentException("loggerName: \"\" (expected: not empty)");
    }
    return new LogCapture(loggerName, null);
  }

  /**
   * Captures the events of the logger named after a class and its children.
   *
   * @param type the class; not null
   * @return the extension; never null
   */
  public static LogCapture forLogger(Class<?> type) {
    return new LogCapture(type.getName(), null);
  }

  /**
   * Returns a capture of the same logger that sets its level during each test (restoring it
   * afterwards), for example {@code "DEBUG"} to see the library's per-call events.
   *
   * @param levelName {@code TRACE}, {@code DEBUG}, {@code INFO}, {@code WARN}, {@code ERROR} or
   *     {@code ALL}, case-insensitive; not null
   * @return a new extension; never null
   * @throws IllegalArgumentException when the name is not a level
   */
  public LogCapture atLevel(String levelName) {
    String upper = levelName.toUpperCase(Locale.ROOT);
    if (Level.toLevel(upper, null) == null) {
      throw new IllegalArgumentException(
          "level: " + levelName + " (expected: TRACE, DEBUG, INFO, WARN, ERROR or ALL)");
    }
    return new LogCapture(loggerName, upper);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext)) {
      throw new IllegalStateException(
          "LogCapture needs logback-classic as the SLF4J backend, but found "
              + factory.getClass().getName());
    }
    Logger logger = ((LoggerContext) factory).getLogger(loggerName);
    synchronized (lock) {
      detach(logger);
      events.clear();
      CapturingAppender attached = new CapturingAppender();
      attached.setContext((LoggerContext) factory);
      attached.setName("grpc-middleware-testing-LogCapture");
      attached.start();
      previousLevel = logger.getLevel();
      if (level != null) {
        logger.setLevel(Level.toLevel(level));
      }
      logger.addAppender(attached);
      appender = attached;
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (factory instanceof LoggerContext) {
      synchronized (lock) {
        detach(((LoggerContext) factory).getLogger(loggerName));
      }
    }
  }

  private void detach(Logger logger) {
    CapturingAppender attached = appender;
    if (attached == null) {
      return;
    }
    logger.detachAppender(attached);
    attached.stop();
    if (level != null) {
      logger.setLevel(previousLevel);
    }
    appender = null;
  }

  /**
   * Returns the events captured in the current test so far, oldest first.
   *
   * @return an unmodifiable copy; never null
   */
  public List<LoggedEvent> events() {
    return Collections.unmodifiableList(new ArrayList<>(events));
  }

  /**
   * Returns the formatted messages captured in the current test so far, oldest first.
   *
   * @return an unmodifiable copy; never null
   */
  public List<String> messages() {
    List<String> messages = new ArrayList<>();
    for (LoggedEvent event : events) {
      messages.add(event.message());
    }
    return Collections.unmodifiableList(messages);
  }

  /**
   * Waits until an event matching the condition has been captured and returns the first such.
   *
   * @param condition the condition; not null
   * @param timeout how long to wait; not null
   * @return the first matching event; never null
   * @throws AssertionError when none arrives in time; the message lists every captured event
   */
  public LoggedEvent await(Predicate<? super LoggedEvent> condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (LoggedEvent event : events) {
        if (condition.test(event)) {
          return event;
        }
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new AssertionError(
            "LogCapture: no matching event on logger \""
                + loggerName
                + "\" within "
                + timeout.toMillis()
                + " ms; captured: "
                + describe(events()));
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for a log event", e);
      }
    }
  }

  /** Forgets the events captured so far in the current test. */
  public void clear() {
    events.clear();
  }

  private static String describe(List<LoggedEvent> captured) {
    if (captured.isEmpty()) {
      return "(nothing)";
    }
    StringBuilder text = new StringBuilder();
    for (LoggedEvent event : captured) {
      text.append("\n  ").append(event);
    }
    return text.toString();
  }

  private final class CapturingAppender extends AppenderBase<ILoggingEvent> {
    @Override
    protected void append(ILoggingEvent event) {
      Map<String, String> mdc = event.getMDCPropertyMap();
      events.add(
          new LoggedEvent(
              event.getLevel().toString(),
              event.getLoggerName(),
              event.getFormattedMessage(),
              mdc == null || mdc.isEmpty()
                  ? Collections.<String, String>emptyMap()
                  : Collections.unmodifiableMap(new HashMap<>(mdc)),
              throwableOf(event.getThrowableProxy()),
              event.getThreadName()));
    }
  }

  private static @Nullable Throwable throwableOf(@Nullable IThrowableProxy proxy) {
    return proxy instanceof ThrowableProxy ? ((ThrowableProxy) proxy).getThrowable() : null;
  }
}
