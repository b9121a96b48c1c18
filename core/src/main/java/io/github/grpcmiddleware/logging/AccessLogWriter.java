package io.github.grpcmiddleware.logging;

import io.github.grpcmiddleware.internal.HeaderKeys;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/** Chooses the level of an access-log line and writes it; builds nothing when it is disabled. */
final class AccessLogWriter {

  static final String FORMAT =
      "{} {} {} {} {}ms peer={} traceId={} principal={} received={} sent={} userAgent={} error={}"
          + " deadline={}";
  static final String SLOW_FORMAT = FORMAT + " slow";

  private static final int MAX_USER_AGENT = 256;
  private static final boolean KEY_VALUES = keyValuesSupported();

  private final Logger logger;
  private final String side;
  private final @Nullable Level[] levels;
  private final long slowNanos;
  private final Level slowLevel;

  /** The most severe level a line can have; null when no line is ever written. */
  private final @Nullable Level mostSevere;

  AccessLogWriter(
      Logger logger, String side, @Nullable Level[] levels, long slowNanos, Level slowLevel) {
    this.logger = logger;
    this.side = side;
    this.levels = levels;
    this.slowNanos = slowNanos;
    this.slowLevel = slowLevel;
    @Nullable Level severe = slowNanos == Long.MAX_VALUE ? null : slowLevel;
    for (@Nullable Level level : levels) {
      if (level != null && (severe == null || level.toInt() > severe.toInt())) {
        severe = level;
      }
    }
    this.mostSevere = severe;
  }

  /**
   * Tells whether a call starting now may produce a line: false when the logger cannot write any
   * level this writer uses (typically a logger set to OFF), so that the interceptors can leave the
   * call alone. Asked per call, as logger levels may change at runtime.
   */
  boolean mayWrite() {
    Level level = mostSevere;
    return level != null && isEnabled(level);
  }

  /**
   * Writes the line of one call.
   *
   * @param type the RPC kind, or null for a method the server does not know
   * @param fullMethodName the method the caller asked for (caller-controlled when {@code type} is
   *     null, so escaped like every such value)
   */
  void write(
      MethodDescriptor.@Nullable MethodType type,
      String fullMethodName,
      Status.Code code,
      long durationNanos,
      @Nullable Object peer,
      @Nullable String traceId,
      @Nullable String principal,
      int received,
      int sent,
      @Nullable Metadata headers,
      @Nullable Throwable error,
      long deadlineNanos) {
    Level level = levels[code.value()];
    boolean slow = durationNanos >= slowNanos;
    if (slow && (level == null || slowLevel.toInt() > level.toInt())) {
      level = slowLevel;
    }
    if (level == null || !isEnabled(level)) {
      return;
    }
    String userAgent = headers == null ? null : bound(headers.get(HeaderKeys.USER_AGENT));
    String peerText = peer == null ? null : peer.toString();
    // Values a caller controls (method name of an unknown method, user agent, a principal's name
    // taken from a token) are quoted and escaped, so none can create a field or a line.
    Object[] args = {
      side,
      field(fullMethodName),
      type == null ? "UNKNOWN" : type,
      code,
      millis(durationNanos),
      field(peerText),
      field(traceId),
      field(principal),
      received,
      sent,
      field(userAgent, MAX_USER_AGENT),
      error == null ? "-" : error.getClass().getName(),
      deadlineNanos < 0 ? "-" : deadlineMillis(deadlineNanos) + "ms"
    };
    String format = slow ? SLOW_FORMAT : FORMAT;
    if (KEY_VALUES) {
      KeyValueAccessLog.log(
          logger,
          level,
          format,
          args,
          fullMethodName,
          peerText,
          traceId,
          principal,
          userAgent,
          slow);
    } else {
      log(level, format, args);
    }
  }

  private boolean isEnabled(Level level) {
    switch (level) {
      case ERROR:
        return logger.isErrorEnabled();
      case WARN:
        return logger.isWarnEnabled();
      case INFO:
        return logger.isInfoEnabled();
      case DEBUG:
        return logger.isDebugEnabled();
      default:
        return logger.isTraceEnabled();
    }
  }

  private void log(Level level, String format, Object[] args) {
    switch (level) {
      case ERROR:
        logger.error(format, args);
        break;
      case WARN:
        logger.warn(format, args);
        break;
      case INFO:
        logger.info(format, args);
        break;
      case DEBUG:
        logger.debug(format, args);
        break;
      default:
        logger.trace(format, args);
    }
  }

  /** Milliseconds with three decimals, without String.format. */
  static String millis(long nanos) {
    long micros = Math.max(0, nanos) / 1000;
    long fraction = micros % 1000;
    String digits = Long.toString(fraction);
    String pad = fraction < 10 ? "00" : fraction < 100 ? "0" : "";
    return (micros / 1000) + "." + pad + digits;
  }

  /** The user agent is caller-controlled: bound its length (the text form escapes it too). */
  static @Nullable String bound(@Nullable String value) {
    if (value == null || value.length() <= MAX_USER_AGENT) {
      return value;
    }
    return value.substring(0, MAX_USER_AGENT);
  }

  /**
   * The time a call had left when it started, in whole milliseconds rounded up (a deadline of 1 ns
   * is not shown as 0 ms); -1 (shown as {@code -}) when it had no deadline.
   */
  static long deadlineMillis(long nanos) {
    return (nanos + 999_999) / 1_000_000;
  }

  /** The nanoseconds left before {@code deadline}, or -1 for none; at least 0 when one is set. */
  static long remainingNanos(io.grpc.@Nullable Deadline deadline) {
    return deadline == null
        ? -1
        : Math.max(0, deadline.timeRemaining(java.util.concurrent.TimeUnit.NANOSECONDS));
  }

  /**
   * Renders one value of the key=value text: {@code -} for none; the value itself when it is
   * printable ASCII without space, quote, backslash or {@code =}; else the value in double quotes
   * with {@code "} and a backslash escaped and every other character outside printable ASCII
   * written as a backslash, {@code u} and four hex digits. A parser therefore always reads exactly
   * one field, on one line.
   */
  static Object field(@Nullable String value) {
    return field(value, Integer.MAX_VALUE);
  }

  /**
   * {@link #field(String)}, cut so that the escaped value (quotes included) takes at most about
   * {@code max} characters, marked with {@code ...}: a caller-controlled value of control
   * characters (6 characters each escaped) stays as short in the line as a printable one.
   */
  static Object field(@Nullable String value, int max) {
    if (value == null) {
      return "-";
    }
    int length = value.length();
    boolean plain = length > 0;
    for (int i = 0; i < length && plain; i++) {
      char c = value.charAt(i);
      plain = c > 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '=';
    }
    if (plain) {
      return value;
    }
    StringBuilder out = new StringBuilder(Math.min(length, max) + 8).append('"');
    for (int i = 0; i < length; i++) {
      if (out.length() >= max) {
        out.append("...");
        break;
      }
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c >= 0x20 && c < 0x7f) {
        out.append(c);
      } else {
        out.append("\\u");
        String hex = Integer.toHexString(c);
        for (int pad = hex.length(); pad < 4; pad++) {
          out.append('0');
        }
        out.append(hex);
      }
    }
    return out.append('"').toString();
  }

  private static boolean keyValuesSupported() {
    try {
      Class.forName("org.slf4j.spi.LoggingEventBuilder", false, Logger.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
