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
import org.jspecify.annotations.Nullable;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * An appender attached to one logback logger for one test. The only class of {@link LogCapture}
 * that touches logback, so LogCapture can say clearly when logback is missing.
 */
final class LogbackAttachment {
  private static final String LOGGER_CONTEXT = "ch.qos.logback.classic.LoggerContext";

  private final Logger logger;
  private final CapturingAppender appender;
  private final @Nullable Level previousLevel;
  private volatile boolean levelChanged;

  private LogbackAttachment(Logger logger, CapturingAppender appender, @Nullable String level) {
    this.logger = logger;
    this.appender = appender;
    this.previousLevel = logger.getLevel();
    if (level != null) {
      setLevel(level);
    }
    logger.addAppender(appender);
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

  static LogbackAttachment attach(
      String loggerName, @Nullable String level, List<LoggedEvent> sink) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext)) {
      throw new IllegalStateException(
          "LogCapture needs logback-classic as the SLF4J backend, but SLF4J is bound to "
              + factory.getClass().getName());
    }
    LoggerContext context = (LoggerContext) factory;
    CapturingAppender appender = new CapturingAppender(sink);
    appender.setContext(context);
    appender.setName("grpc-middleware-testing-LogCapture");
    appender.start();
    return new LogbackAttachment(context.getLogger(loggerName), appender, level);
  }

  /** Sets the logger's level until {@link #detach()}, which restores the level from before. */
  void setLevel(String upperCaseName) {
    levelChanged = true;
    logger.setLevel(Level.toLevel(upperCaseName));
  }

  void detach() {
    logger.detachAppender(appender);
    appender.stop();
    if (levelChanged) {
      logger.setLevel(previousLevel);
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
