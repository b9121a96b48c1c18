package io.github.grpcmiddleware.logging;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Writes an access-log line with SLF4J 2 key-value pairs. Only loaded when {@code
 * org.slf4j.spi.LoggingEventBuilder} exists, so SLF4J 1.7 users never touch it.
 */
final class KeyValueAccessLog {

  private KeyValueAccessLog() {}

  static void log(
      Logger logger,
      Level level,
      String format,
      Object[] args,
      String method,
      @Nullable String peer,
      @Nullable String traceId,
      @Nullable String principal,
      @Nullable String userAgent,
      boolean slow) {
    LoggingEventBuilder event =
        logger
            .atLevel(level)
            .addKeyValue("grpc.side", args[0])
            .addKeyValue("grpc.method", method)
            .addKeyValue("grpc.kind", args[2])
            .addKeyValue("grpc.code", args[3])
            .addKeyValue("durationMs", args[4])
            .addKeyValue("messagesReceived", args[8])
            .addKeyValue("messagesSent", args[9]);
    if (peer != null) {
      event = event.addKeyValue("peer", peer);
    }
    if (traceId != null) {
      event = event.addKeyValue("traceId", traceId);
    }
    if (principal != null) {
      event = event.addKeyValue("principal", principal);
    }
    if (userAgent != null) {
      event = event.addKeyValue("userAgent", userAgent);
    }
    if (!"-".equals(args[11])) {
      event = event.addKeyValue("error", args[11]);
    }
    if (slow) {
      event = event.addKeyValue("slow", true);
    }
    event.log(format, args);
  }
}
