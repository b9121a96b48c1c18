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
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * An appender attached to one logback logger for one test. The only class of {@link LogCapture}
 * that touches logback, so LogCapture can say clearly when logback is missing.
 */
final class LogbackAttachment {
  private static final String LOGGER_CONTEXT = "ch.qos.logback.classic.LoggerContext";

  private final Logger logger;
  private final CapturingAppender appender;
  private final @Nullable Level previousLevel;
  private final boolean levelChanged;

  private LogbackAttachment(Logger logger, CapturingAppender appender, @Nullable String level) {
    this.logger = logger;
    this.appender = appender;
    this.previousLevel = logger.getLevel();
    this.levelChanged = level != null;
    if (level != null) {
      logger.setLevel(Level.toLevel(level));
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
      sink.add(
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

    private static @Nullable Throwable throwableOf(@Nullable IThrowableProxy proxy) {
      return proxy instanceof ThrowableProxy ? ((ThrowableProxy) proxy).getThrowable() : null;
    }
  }
}
