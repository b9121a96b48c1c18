package io.github.grpcmiddleware.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps what grpc-java logs about broken streams from clients (its Netty server handler) and about
 * requests that do not decode (its serializing executor).
 *
 * <p>An over-limit header list, a malformed frame or a protocol error costs the client a few bytes
 * and, before any call exists, makes grpc-java log a WARNING "Stream Error" or "Connection Error"
 * with a stack trace of about 4 KB through java.util.logging (no trace id: there is no call yet).
 * This filter drops those records and writes at most one WARN line per {@link #INTERVAL_SECONDS}
 * through SLF4J, with the exception's class and escaped message and the number of records dropped
 * since the last line. Records below WARNING pass unchanged.
 */
final class TransportLogLimiter implements Filter {
  static final long INTERVAL_SECONDS = 10;

  private static final org.slf4j.Logger logger = LoggerFactory.getLogger(TransportLogLimiter.class);
  private static final String[] LOGGERS = {
    "io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler",
    "io.grpc.netty.NettyServerHandler",
    // "Exception while executing runnable": a request that does not decode, 2.3 KB each. The
    // access log already has that call's line, with its trace id and the code the client got.
    "io.grpc.internal.SerializingExecutor"
  };
  private static final TransportLogLimiter INSTANCE = new TransportLogLimiter();
  // java.util.logging keeps loggers weakly: a collected logger would lose its filter.
  private static final List<Logger> configured = new ArrayList<>();

  private long lastLineNanos;
  private boolean loggedOnce;
  private long dropped;

  private TransportLogLimiter() {}

  /**
   * Installs the filter on grpc-java's Netty server handler loggers; calling it again is a no-op.
   */
  static synchronized void install() {
    if (!configured.isEmpty()) {
      return;
    }
    for (String name : LOGGERS) {
      Logger jul = Logger.getLogger(name);
      jul.setFilter(INSTANCE);
      configured.add(jul);
    }
  }

  @Override
  public boolean isLoggable(LogRecord record) {
    if (record.getLevel().intValue() < Level.WARNING.intValue()) {
      return true;
    }
    summarize(record);
    return false;
  }

  private synchronized void summarize(LogRecord record) {
    long now = System.nanoTime();
    if (loggedOnce && now - lastLineNanos < TimeUnit.SECONDS.toNanos(INTERVAL_SECONDS)) {
      dropped++;
      return;
    }
    Throwable thrown = record.getThrown();
    String cause =
        thrown == null
            ? "-"
            : thrown.getClass().getSimpleName()
                + ": "
                + LogText.escape(String.valueOf(thrown.getMessage()));
    logger.warn(
        "grpc-java transport: {} ({}); {} similar records dropped in the last {} s",
        LogText.escape(String.valueOf(record.getMessage())),
        cause,
        dropped,
        INTERVAL_SECONDS);
    loggedOnce = true;
    lastLineNanos = now;
    dropped = 0;
  }
}
