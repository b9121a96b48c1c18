package io.github.grpcmiddleware.examples;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * Rate limits and escapes the {@code java.util.logging} records that grpc-java writes, with a stack
 * trace, for things any caller can do with a few bytes and no credentials, before or outside any
 * call (so without a trace id):
 *
 * <ul>
 *   <li>{@code NettyServerStream} WARNING "Exception processing message": a message with the
 *       compressed flag but no {@code grpc-encoding}, or an announced length over the maximum (a 2
 *       GiB length prefix), about 1.8 KB each;
 *   <li>{@code NettyServerTransport.connections} INFO "Transport failed": every connection that
 *       ends with an HTTP/2 protocol error (DATA or RST_STREAM on an idle stream, a CONTINUATION
 *       without HEADERS, bad padding, an invalid SETTINGS value), about 3.9 KB each;
 *   <li>{@code NettyServerHandler} WARNING "Stream Error" (an over-limit header list, an invalid
 *       header, a WINDOW_UPDATE of 0) and its other warnings (a wrong {@code te} header, an
 *       unexpected PING ACK);
 *   <li>{@code SerializingExecutor} SEVERE "Exception while executing runnable": a request that
 *       does not decode (the access log already has that call's line, with its trace id).
 * </ul>
 *
 * <p>Records at INFO and above from these loggers are dropped; a {@link LogSummary} writes the
 * first of each kind (logger and exception class) as one escaped line, and then, once per interval,
 * the number dropped. Records below INFO pass unchanged.
 */
final class TransportLogLimiter implements Filter {
  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  private static final String[] LOGGERS = {
    "io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler",
    "io.grpc.netty.shaded.io.grpc.netty.NettyServerStream",
    "io.grpc.netty.shaded.io.grpc.netty.NettyServerTransport.connections",
    "io.grpc.netty.NettyServerHandler",
    "io.grpc.netty.NettyServerStream",
    "io.grpc.netty.NettyServerTransport.connections",
    "io.grpc.internal.SerializingExecutor",
    "io.grpc.internal.SerializeReentrantCallsDirectExecutor",
    "io.grpc.internal.ServerCallImpl",
    "io.grpc.internal.ServerImpl"
  };
  private static final TransportLogLimiter INSTANCE = new TransportLogLimiter();
  // java.util.logging keeps loggers weakly: a collected logger would lose its filter.
  private static final List<Logger> configured = new ArrayList<>();

  private final LogSummary summary =
      new LogSummary(LoggerFactory.getLogger(TransportLogLimiter.class), DEFAULT_INTERVAL);

  private TransportLogLimiter() {}

  /**
   * Installs the filter on grpc-java's loggers listed above, or, when it is installed already, only
   * changes the interval.
   *
   * @param interval how often a kind of record may be written; positive
   */
  static synchronized void install(Duration interval) {
    INSTANCE.summary.setInterval(interval);
    if (!configured.isEmpty()) {
      return;
    }
    for (String name : LOGGERS) {
      Logger jul = Logger.getLogger(name);
      jul.setFilter(INSTANCE);
      configured.add(jul);
    }
  }

  /** The summary that connection limits report through, so all transport lines share one style. */
  static LogSummary summary() {
    return INSTANCE.summary;
  }

  @Override
  public boolean isLoggable(LogRecord record) {
    if (record.getLevel().intValue() < Level.INFO.intValue()) {
      return true;
    }
    String logger = shortName(record.getLoggerName());
    Throwable thrown = record.getThrown();
    String kind = thrown == null ? "-" : thrown.getClass().getSimpleName();
    String message = LogText.escape(String.valueOf(record.getMessage()));
    summary.event(
        logger + " " + kind,
        level(record.getLevel()),
        "grpc-java " + logger + " records (" + kind + ")",
        () -> "grpc-java " + logger + ": " + message + " (" + describe(thrown) + ")");
    return false;
  }

  private static String describe(@Nullable Throwable thrown) {
    if (thrown == null) {
      return "-";
    }
    return thrown.getClass().getSimpleName()
        + ": "
        + LogText.escape(String.valueOf(thrown.getMessage()));
  }

  private static String shortName(@Nullable String loggerName) {
    if (loggerName == null) {
      return "-";
    }
    // NettyServerTransport.connections: keep the class name and what follows it.
    int end = loggerName.length();
    for (int i = 0; i < loggerName.length(); i++) {
      if (Character.isUpperCase(loggerName.charAt(i))
          && (i == 0 || loggerName.charAt(i - 1) == '.')) {
        return loggerName.substring(i, end);
      }
    }
    return loggerName;
  }

  private static org.slf4j.event.Level level(Level level) {
    if (level.intValue() >= Level.SEVERE.intValue()) {
      return org.slf4j.event.Level.ERROR;
    }
    if (level.intValue() >= Level.WARNING.intValue()) {
      return org.slf4j.event.Level.WARN;
    }
    return org.slf4j.event.Level.INFO;
  }
}
