package io.github.grpcmiddleware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests without credentials that make grpc-java or Netty log, each sent {@link #REQUESTS} times
 * over raw HTTP/2 to the example server in a JVM of its own, with the examples' logback.xml: every
 * byte the process writes (log lines, and grpc-java's java.util.logging console output with its
 * stack traces) is counted, and must stay under {@link #BUDGET} bytes per request. The server's
 * access-log line for each call (about 200 bytes) is part of that count. Each kind of grpc-java
 * record is written at most once per interval, escaped, on one line, and the number suppressed is
 * written when the interval ends.
 *
 * <p>The server summarizes every {@link #INTERVAL_MS} ms here (10 s in production), so a test sees
 * the count without waiting long.
 */
class GrpcJavaLogFloodTest {
  private static final int REQUESTS = 20;
  private static final int BUDGET = 300;
  private static final long INTERVAL_MS = 1000;
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String HELLO = "/example.Greeter/SayHello";
  private static final Pattern SUPPRESSED_COUNT = Pattern.compile("\\d+ more .* not logged");

  private static ExampleServerProcess server;

  @BeforeAll
  static void startServer() throws Exception {
    server =
        ExampleServerProcess.start(
            List.of("-Xmx256m"), 0, LogFloodServerMain.class, Long.toString(INTERVAL_MS));
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  /** What one hostile request sends on a fresh connection, after the preface. */
  interface Request {
    void send(RawHttp2 raw) throws Exception;
  }

  @Test
  void compressedFlagWithoutGrpcEncoding() throws Exception {
    // grpc-java: WARNING "Exception processing message", INTERNAL "Can't decode compressed gRPC
    // message as compression not configured", with a 1.8 KB stack trace.
    attack(
        "compressed flag without grpc-encoding",
        raw -> {
          raw.headers(1, RawHttp2.requestHeaders(HELLO), true, false);
          raw.data(1, RawHttp2.grpcMessage(true, 5, new byte[5]), true);
        });
  }

  @Test
  void twoGibLengthPrefix() throws Exception {
    // The same record, RESOURCE_EXHAUSTED "gRPC message exceeds maximum size".
    attack(
        "2 GiB length prefix",
        raw -> {
          raw.headers(1, RawHttp2.requestHeaders(HELLO), true, false);
          raw.data(1, RawHttp2.grpcMessage(false, Integer.MIN_VALUE, new byte[0]), true);
        });
  }

  @Test
  void undecodableMessage() throws Exception {
    // grpc-java: SEVERE "Exception while executing runnable" (protobuf's "Invalid protobuf byte
    // sequence"), plus the access log's WARN line of the call.
    attack(
        "undecodable message",
        raw -> {
          raw.headers(1, RawHttp2.requestHeaders(HELLO), true, false);
          raw.data(1, RawHttp2.grpcMessage(new byte[] {0x0a, 0x05, 'a'}), true);
        });
  }

  @Test
  void headerListOverTheLimit() throws Exception {
    // grpc-java: WARNING "Stream Error" (HeaderListSizeException), no call.
    attack(
        "header list over 8 KiB",
        raw ->
            raw.headers(
                1, RawHttp2.requestHeaders(HELLO, "x-big", "a".repeat(9 * 1024)), true, true));
  }

  @Test
  void dataFrameOnAStreamNeverOpened() throws Exception {
    // A connection error: grpc-java logs INFO "Transport failed" with a 3.9 KB stack trace
    // (NettyServerTransport.connections), through java.util.logging's console handler.
    attack(
        "DATA on an idle stream (connection error)",
        raw -> raw.data(1, RawHttp2.grpcMessage(new byte[0]), true));
  }

  @Test
  void invalidSettingsValue() throws Exception {
    // ENABLE_PUSH = 5: a connection error, the same "Transport failed" record.
    attack(
        "SETTINGS ENABLE_PUSH=5 (connection error)",
        raw -> raw.rawFrame(RawHttp2.SETTINGS, 0, 0, new byte[] {0, 2, 0, 0, 0, 5}));
  }

  @Test
  void requestWithoutTeHeader() throws Exception {
    // grpc-java: WARNING "Expected header TE: trailers, but null is received ...", per call. The
    // method is unknown (UNIMPLEMENTED, one access-log line): a SayHello would add the service's
    // own "greeting" line, which a valid call costs too.
    attack(
        "no te header",
        raw -> {
          raw.headers(
              1, withoutTe(RawHttp2.requestHeaders("/example.Greeter/NoSuchMethod")), true, false);
          raw.data(1, RawHttp2.grpcMessage(new byte[0]), true);
        });
  }

  private static void attack(String name, Request request) throws Exception {
    assertThat(server.isAlive()).as("server").isTrue();
    // Whatever an earlier attack left (a summary still due) is written before this one starts.
    server.awaitQuiet(Duration.ofMillis(2 * INTERVAL_MS), WAIT);
    int from = server.bytes();
    for (int i = 0; i < REQUESTS; i++) {
      try (RawHttp2 raw = RawHttp2.connect(server.port(), true)) {
        raw.preface();
        request.send(raw);
        raw.flush();
        // The request is done when the server answered it or closed the connection.
        raw.await(
            f ->
                f.type() == RawHttp2.RST_STREAM
                    || f.type() == RawHttp2.GOAWAY
                    || (f.type() == RawHttp2.HEADERS && (f.flags() & RawHttp2.END_STREAM) != 0),
            WAIT);
      }
    }
    // The count of what was suppressed comes at the end of the interval, by itself.
    boolean counted =
        server.awaitOutput(from, SUPPRESSED_COUNT, Duration.ofMillis(3 * INTERVAL_MS));
    server.awaitQuiet(Duration.ofMillis(2 * INTERVAL_MS), WAIT);
    String log = server.text(from);
    int bytes = log.getBytes(StandardCharsets.UTF_8).length;
    List<String> lines = Arrays.stream(log.split("\n")).filter(l -> !l.isEmpty()).toList();
    System.out.printf(
        "figure: %s: %d requests, %d log bytes (%d per request), %d lines, %d stack-trace lines,"
            + " suppressed count written: %s%n",
        name,
        REQUESTS,
        bytes,
        bytes / REQUESTS,
        lines.size(),
        lines.stream().filter(l -> l.startsWith("\tat ")).count(),
        counted);
    assertThat(bytes / REQUESTS).as("log bytes per request").isLessThan(BUDGET);
    assertThat(lines)
        .as("every line is one record of the examples' pattern: no stack traces, no raw text")
        .allSatisfy(l -> assertThat(l).matches("^(TRACE|DEBUG|INFO |WARN |ERROR) .*"));
    assertThat(counted).as("a line with the number of records suppressed").isTrue();
  }

  /** The header block without its {@code te} pair (the raw client writes literal pairs). */
  private static byte[] withoutTe(byte[] block) {
    byte[] te = new byte[] {0, 2, 't', 'e', 8, 't', 'r', 'a', 'i', 'l', 'e', 'r', 's'};
    for (int i = 0; i + te.length <= block.length; i++) {
      if (Arrays.equals(block, i, i + te.length, te, 0, te.length)) {
        byte[] out = new byte[block.length - te.length];
        System.arraycopy(block, 0, out, 0, i);
        System.arraycopy(block, i + te.length, out, i, block.length - i - te.length);
        return out;
      }
    }
    throw new IllegalArgumentException("no te header");
  }
}
