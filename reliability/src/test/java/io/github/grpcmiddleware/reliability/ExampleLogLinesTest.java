package io.github.grpcmiddleware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import io.github.grpcmiddleware.examples.ExampleServer;
import io.github.grpcmiddleware.examples.ProductionSettings;
import io.github.grpcmiddleware.examples.proto.CreateUserRequest;
import io.github.grpcmiddleware.examples.proto.HelloRequest;
import io.github.grpcmiddleware.testsupport.RawBytes;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What the example server writes to its log when callers send hostile text, captured through the
 * pattern of the examples' own {@code logback.xml}: a forged line break in any logged field never
 * makes a second record, and an undecodable request makes one WARN line with the trace id instead
 * of grpc-java's SEVERE stack trace.
 */
class ExampleLogLinesTest {
  private static final String TOKEN = "demo-token";
  private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String FORGED_RECORD =
      "ERROR ErrorMapping     traceId=FORGED00000000000000000000000000 locale=en    forged";

  /** A record's first line: the level, the logger, the trace id column of the pattern. */
  private static final Pattern RECORD_START =
      Pattern.compile("^(TRACE|DEBUG|INFO |WARN |ERROR) \\S+\\s+traceId=(-|[0-9a-f]{32})\\s");

  private final ByteArrayOutputStream output = new ByteArrayOutputStream();
  private final List<LogRecord> julRecords = new CopyOnWriteArrayList<>();
  private final Handler julHandler =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          julRecords.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private final java.util.logging.Logger grpcJul = java.util.logging.Logger.getLogger("io.grpc");
  private OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(examplesPattern());
    encoder.setCharset(StandardCharsets.UTF_8);
    encoder.start();
    appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setName("examples-pattern");
    appender.setEncoder(encoder);
    appender.setOutputStream(output);
    appender.start();
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);
    grpcJul.addHandler(julHandler);
    server =
        ExampleServer.start(
            "127.0.0.1", 0, TOKEN, new SimpleMeterRegistry(), null, ProductionSettings.defaults());
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    grpcJul.removeHandler(julHandler);
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(appender);
    appender.stop();
  }

  @Test
  void forgedLineBreaksInEveryLoggedFieldStayInsideOneRecord() throws Exception {
    List<String> breaks = List.of("\n", "\r\n", "\r", "\u2028", "\u0085");
    int calls = 0;
    for (String lineBreak : breaks) {
      String forged = "bob" + lineBreak + FORGED_RECORD;
      // SayHello and CreateUsers log the caller's name; the access log the user agent.
      try (RawHttp2 raw = RawHttp2.connect(server.getPort(), true)) {
        raw.preface();
        byte[] hello = HelloRequest.newBuilder().setName(forged).build().toByteArray();
        raw.headers(
            1,
            RawHttp2.requestHeaders("/example.Greeter/SayHello", "user-agent", latin1(forged)),
            true,
            false);
        raw.data(1, RawHttp2.grpcMessage(hello), true);
        byte[] user = CreateUserRequest.newBuilder().setName(forged).build().toByteArray();
        raw.headers(
            3,
            RawHttp2.requestHeaders(
                "/example.UserService/CreateUsers",
                "authorization",
                "Bearer " + TOKEN,
                "x-request-id",
                latin1(forged)),
            true,
            false);
        raw.data(3, RawHttp2.grpcMessage(user), true);
        raw.flush();
        for (int stream : new int[] {1, 3}) {
          assertThat(
                  raw.await(
                      f ->
                          f.streamId() == stream
                              && ((f.type() == RawHttp2.HEADERS
                                      && (f.flags() & RawHttp2.END_STREAM) != 0)
                                  || f.type() == RawHttp2.RST_STREAM),
                      WAIT))
              .as("end of stream %d", stream)
              .isNotNull();
        }
        calls += 2;
      }
    }
    server.shutdown().awaitTermination(5, TimeUnit.SECONDS);

    String log = output.toString(StandardCharsets.UTF_8);
    List<String> lines = Arrays.asList(log.split("\n"));
    long forgedNames = lines.stream().filter(l -> l.contains("bob\\")).count();
    System.out.printf(
        "figure: %d calls with forged names and headers: %d log lines, %d starting like the forged"
            + " record%n",
        calls,
        lines.size(),
        lines.stream().filter(l -> l.startsWith("ERROR ErrorMapping")).count());
    assertThat(forgedNames).as("records that logged an escaped forged name").isPositive();
    assertThat(lines)
        .as("every line is a record of its own or part of a stack trace")
        .allSatisfy(
            line ->
                assertThat(
                        RECORD_START.matcher(line).find()
                            || line.startsWith("\t")
                            || line.startsWith("| ")
                            || line.matches("^[\\w.$]+(Exception|Error)(: .*)?$")
                            || line.startsWith("Caused by: "))
                    .as("line: %s", line)
                    .isTrue());
    assertThat(lines).noneMatch(line -> line.startsWith("ERROR ErrorMapping"));
  }

  @Test
  void undecodableRequestLogsOneAccessLineWithTheTraceIdAndAtMostOneGrpcLine() throws Exception {
    MethodDescriptor<byte[], byte[]> sayHello = RawBytes.unary("example.Greeter/SayHello");
    Metadata headers = new Metadata();
    headers.put(Rpc.TRACEPARENT, "00-" + TRACE + "-00f067aa0ba902b7-01");
    // Field 1 (name), length 5, but only one byte follows.
    byte[] truncated = {0x0a, 0x05, 'a'};
    Status status = Status.OK;
    try {
      ClientCalls.blockingUnaryCall(
          ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)),
          sayHello,
          CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
          truncated);
    } catch (StatusRuntimeException e) {
      status = e.getStatus();
    }
    server.shutdown().awaitTermination(5, TimeUnit.SECONDS);

    String log = output.toString(StandardCharsets.UTF_8);
    List<String> lines = new ArrayList<>(Arrays.asList(log.split("\n")));
    lines.removeIf(String::isEmpty);
    List<String> aboveInfo =
        lines.stream().filter(l -> l.startsWith("WARN ") || l.startsWith("ERROR")).toList();
    int julBytes = 0;
    SimpleFormatter formatter = new SimpleFormatter();
    List<LogRecord> julWarnings = new ArrayList<>();
    for (LogRecord r : julRecords) {
      if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
        julWarnings.add(r);
        julBytes += formatter.format(r).getBytes(StandardCharsets.UTF_8).length;
      }
    }
    System.out.printf(
        "figure: undecodable request: client got %s; grpc-java JUL WARNING+ records %d (%d"
            + " bytes); example log WARN+ lines %d (%d bytes)%n",
        status,
        julWarnings.size(),
        julBytes,
        aboveInfo.size(),
        aboveInfo.stream().mapToInt(l -> l.length() + 1).sum());
    // grpc-java answers the call itself; the chain's stream tracer lets the access log record
    // that answer, once, with the trace id. grpc-java's own stack trace is rate limited.
    assertThat(status.getCode()).isEqualTo(Status.Code.UNKNOWN);
    assertThat(julWarnings).as("grpc-java's own WARNING/SEVERE records").isEmpty();
    assertThat(aboveInfo)
        .filteredOn(l -> l.contains("server example.Greeter/SayHello"))
        .singleElement()
        .satisfies(
            l ->
                assertThat(l)
                    .startsWith("WARN ")
                    .contains("traceId=" + TRACE)
                    .contains(" UNARY UNKNOWN ")
                    .contains("received=0 sent=0"));
    // Besides the access line, only the limiter's one-line summaries (of this record, or one still
    // due from an earlier test in this JVM: the limiter is JVM-wide).
    assertThat(aboveInfo)
        .filteredOn(l -> !l.contains("server example.Greeter/SayHello"))
        .allSatisfy(l -> assertThat(l).contains("TransportLogLimiter").contains("grpc-java "));
    assertThat(aboveInfo)
        .filteredOn(l -> l.contains("grpc-java SerializingExecutor: "))
        .hasSizeLessThanOrEqualTo(1);
  }

  @Test
  void overLimitHeaderListsLogAtMostOneLine() throws Exception {
    int requests = 20;
    try (RawHttp2 raw = RawHttp2.connect(server.getPort(), true)) {
      raw.preface();
      assertThat(raw.barrier(WAIT)).isTrue();
      byte[] block =
          RawHttp2.requestHeaders("/example.Greeter/SayHello", "x-big", "a".repeat(9 * 1024));
      for (int i = 0; i < requests; i++) {
        raw.headers(1 + 2 * i, block, true, true);
      }
      assertThat(raw.barrier(WAIT)).isTrue();
      assertThat(raw.received(RawHttp2.RST_STREAM)).hasSize(requests);
    }
    server.shutdown().awaitTermination(5, TimeUnit.SECONDS);

    List<String> lines =
        new ArrayList<>(Arrays.asList(output.toString(StandardCharsets.UTF_8).split("\n")));
    lines.removeIf(String::isEmpty);
    int julBytes = 0;
    SimpleFormatter formatter = new SimpleFormatter();
    List<LogRecord> julWarnings = new ArrayList<>();
    for (LogRecord r : julRecords) {
      if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
        julWarnings.add(r);
        julBytes += formatter.format(r).getBytes(StandardCharsets.UTF_8).length;
      }
    }
    List<String> transportLines =
        lines.stream().filter(l -> l.contains("grpc-java NettyServerHandler")).toList();
    System.out.printf(
        "figure: %d over-limit header lists: grpc-java JUL WARNING+ records %d (%d bytes);"
            + " example log lines about them %d (%d bytes)%n",
        requests,
        julWarnings.size(),
        julBytes,
        transportLines.size(),
        transportLines.stream().mapToInt(l -> l.length() + 1).sum());
    assertThat(julWarnings).as("grpc-java's own WARNING/SEVERE records").isEmpty();
    assertThat(transportLines).hasSizeLessThanOrEqualTo(1);
    assertThat(transportLines).allSatisfy(l -> assertThat(l).startsWith("WARN "));
  }

  private static String latin1(String s) {
    // HTTP/2 header values are octets; the raw client writes each char as one byte.
    return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  /** The {@code <pattern>} of the examples' logback.xml, read from the examples' class path. */
  private static String examplesPattern() throws Exception {
    URL location = ExampleServer.class.getProtectionDomain().getCodeSource().getLocation();
    URL config =
        location.getPath().endsWith(".jar")
            ? new URL("jar:" + location + "!/logback.xml")
            : new URL(location, "logback.xml");
    try (InputStream in = config.openStream()) {
      return DocumentBuilderFactory.newInstance()
          .newDocumentBuilder()
          .parse(in)
          .getElementsByTagName("pattern")
          .item(0)
          .getTextContent();
    }
  }
}
