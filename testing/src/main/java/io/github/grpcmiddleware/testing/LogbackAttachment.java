package io.github.grpcmiddleware.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * An appender attached to one logback logger for one test, and the level that test set on it. The
 * only class of {@link LogCapture} that touches logback, so LogCapture can say clearly when logback
 * is missing.
 *
 * <p>Tests that run at the same time (JUnit's parallel execution) share the logger's level: each
 * attachment holds the level its test asked for (or the configured one), holds on one logger must
 * agree, and the level from before comes back when the last hold is released.
 */
final class LogbackAttachment {
  private static final String LOGGER_CONTEXT = "ch.qos.logback.classic.LoggerContext";

  /** The level holds of the loggers captured now, guarded by itself. */
  private static final Map<Logger, LevelHold> HOLDS = new HashMap<>();

  private final Logger logger;
  private final CapturingAppender appender;

  private LogbackAttachment(Logger logger, CapturingAppender appender) {
    this.logger = logger;
    this.appender = appender;
  }

  static void checkAvailable() {
    try {
      Class.forName(LOGGER_CONTEXT, false, LogbackAttachment.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException(
          "LogCapture needs ch.qos.logback:logback-classic on the test class path"
              + " (it is an optional dependency of grpc-middleware-testing)",
          e);
    }
  }

  static boolean isLevel(String upperCaseName) {
    return Level.toLevel(upperCaseName, null) != null;
  }

  /**
   * Holds the logger at {@code level} (null: as configured) and attaches an appender to it.
   *
   * @throws IllegalStateException when another test running now holds the logger at another level
   */
  static LogbackAttachment attach(
      String loggerName, @Nullable String level, List<LoggedEvent> sink) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext)) {
      throw new IllegalStateException(
          "LogCapture needs logback-classic as the SLF4J backend, but SLF4J is bound to "
              + factory.getClass().getName());
    }
    LoggerContext context = (LoggerContext) factory;
    Logger logger = context.getLogger(loggerName);
    hold(logger, level == null ? null : Level.toLevel(level));
    try {
      CapturingAppender appender = new CapturingAppender(sink);
      appender.setContext(context);
      appender.setName("grpc-middleware-testing-LogCapture");
      appender.start();
      logger.addAppender(appender);
      return new LogbackAttachment(logger, appender);
    } catch (RuntimeException | Error e) {
      release(logger);
      throw e;
    }
  }

  private static void hold(Logger logger, @Nullable Level level) {
    synchronized (HOLDS) {
      LevelHold hold = HOLDS.get(logger);
      if (hold == null) {
        hold = new LevelHold(logger.getLevel());
        HOLDS.put(logger, hold);
        if (level != null) {
          hold.set(logger, level);
        }
      } else if (!Objects.equals(hold.level, level)) {
        throw conflict(logger, hold, hold.holders, level);
      }
      hold.holders++;
    }
  }

  /**
   * Sets the logger's level until the last test holding it detaches, which restores the level from
   * before.
   *
   * @throws IllegalStateException when another test running now holds the logger too
   */
  void setLevel(String upperCaseName) {
    Level level = Level.toLevel(upperCaseName);
    synchronized (HOLDS) {
      LevelHold hold = Objects.requireNonNull(HOLDS.get(logger), "held while attached");
      if (level.equals(hold.level)) {
        return;
      }
      if (hold.holders > 1) {
        throw conflict(logger, hold, hold.holders - 1, level);
      }
      hold.set(logger, level);
    }
  }

  void detach() {
    logger.detachAppender(appender);
    appender.stop();
    release(logger);
  }

  private static void release(Logger logger) {
    synchronized (HOLDS) {
      LevelHold hold = HOLDS.get(logger);
      if (hold != null && --hold.holders == 0) {
        HOLDS.remove(logger);
        if (hold.changed) {
          logger.setLevel(hold.original);
        }
      }
    }
  }

  private static IllegalStateException conflict(
      Logger logger, LevelHold hold, int others, @Nullable Level wanted) {
    String name = logger.getName();
    return new IllegalStateException(
        "LogCapture: logger \""
            + name
            + "\" is at "
            + describe(hold.level)
            + " for "
            + others
            + (others == 1 ? " other test" : " other tests")
            + " running at the same time; this test asks for "
            + describe(wanted)
            + ". Tests that run concurrently must capture a logger at the same level: give them"
            + " the same atLevel(...), or keep them apart with @ResourceLock(\""
            + name
            + "\")");
  }

  private static String describe(@Nullable Level level) {
    return level == null ? "its configured level (no atLevel)" : level.toString();
  }

  /** The level the tests capturing a logger now agreed on, and the one to restore. */
  private static final class LevelHold {
    final @Nullable Level original;
    @Nullable Level level;
    boolean changed;
    int holders;

    LevelHold(@Nullable Level original) {
      this.original = original;
    }

    void set(Logger logger, Level wanted) {
      level = wanted;
      changed = true;
      logger.setLevel(wanted);
    }
  }

  private static final class CapturingAppender extends AppenderBase<ILoggingEvent> {
    private final List<LoggedEvent> sink;

    CapturingAppender(List<LoggedEvent> sink) {
      this.sink = sink;
    }

    @Override
    protected void append(ILoggingEvent event) {
      // Copied now: logback reads the MDC lazily, and the thread moves on.
      Map<String, String> mdc = event.getMDCPropertyMap();
      @Nullable List<KeyValuePair> pairs = event.getKeyValuePairs();
      sink.add(
          new LoggedEvent(
              event.getLevel().toString(),
              event.getLoggerName(),
              event.getFormattedMessage(),
              mdc == null || mdc.isEmpty()
                  ? Collections.<String, String>emptyMap()
                  : Collections.unmodifiableMap(new HashMap<>(mdc)),
              keyValuesOf(pairs),
              throwableOf(event.getThrowableProxy()),
              event.getThreadName()));
    }

    private static Map<String, @Nullable Object> keyValuesOf(@Nullable List<KeyValuePair> pairs) {
      if (pairs == null || pairs.isEmpty()) {
        return Collections.emptyMap();
      }
      Map<String, @Nullable Object> copy = new LinkedHashMap<>();
      for (KeyValuePair pair : pairs) {
        copy.put(pair.key, pair.value);
      }
      return Collections.unmodifiableMap(copy);
    }

    private static @Nullable Throwable throwableOf(@Nullable IThrowableProxy proxy) {
      return proxy instanceof ThrowableProxy ? ((ThrowableProxy) proxy).getThrowable() : null;
    }
  }
}
