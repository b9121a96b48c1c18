package io.github.grpcmiddleware.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * A logback ListAppender on one logger, with a wait for lines written on server threads; shared by
 * the logging and limits tests.
 */
public final class LogCapture implements AutoCloseable {

  private final Logger logger;
  private final Level previousLevel;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  public LogCapture(String loggerName) {
    logger = (Logger) LoggerFactory.getLogger(loggerName);
    previousLevel = logger.getLevel();
    logger.setLevel(Level.INFO);
    appender.start();
    logger.addAppender(appender);
  }

  /** Waits up to five seconds for {@code count} events and returns them. */
  public List<ILoggingEvent> await(int count) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (appender.list.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(appender.list).hasSize(count);
    return List.copyOf(appender.list);
  }

  /** Changes the logger's level, as an operator would at runtime. */
  public void setLevel(Level level) {
    logger.setLevel(level);
  }

  public void clear() {
    appender.list.clear();
  }

  public List<ILoggingEvent> events() {
    return List.copyOf(appender.list);
  }

  public static Map<String, Object> keyValues(ILoggingEvent event) {
    Map<String, Object> map = new HashMap<>();
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    if (pairs != null) {
      for (KeyValuePair pair : pairs) {
        map.put(pair.key, pair.value);
      }
    }
    return map;
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setLevel(previousLevel);
  }
}
