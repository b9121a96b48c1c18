package io.github.grpcmiddleware.benchmarks;

import ch.qos.logback.classic.Level;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.slf4j.LoggerFactory;

/** Logging set-up shared by the benchmarks: nothing is written, but events are still built. */
final class Logging {

  /** Strong reference: java.util.logging keeps loggers weakly, and would forget the handler. */
  private static final java.util.logging.Logger GRPC =
      java.util.logging.Logger.getLogger("io.grpc");

  static {
    // grpc-java logs an exception escaping a handler at SEVERE through java.util.logging (bare
    // error path); send it to a no-op handler like logback's events, instead of the console.
    GRPC.setUseParentHandlers(false);
    GRPC.addHandler(
        new Handler() {
          @Override
          public void publish(LogRecord record) {}

          @Override
          public void flush() {}

          @Override
          public void close() {}
        });
  }

  private Logging() {}

  /** Makes sure the static set-up ran. */
  static void init() {
    LoggerFactory.getLogger(Logging.class);
  }

  /**
   * Sets a logback logger's level.
   *
   * @param name the logger
   * @param level the level, such as {@link Level#OFF} or {@link Level#INFO}
   */
  static void setLevel(String name, Level level) {
    init();
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(name)).setLevel(level);
  }
}
