package io.github.grpcmiddleware.trace;

import static io.github.grpcmiddleware.trace.TraceIdsServerInterceptorTest.X_TRACE_ID;
import static io.github.grpcmiddleware.trace.TraceIdsServerInterceptorTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testsupport.TraceContextVectors;
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
  static final String T = TraceContextVectors.TRACE_ID;
  static final String P = TraceContextVectors.PARENT_ID;
  static final String VALID = TraceContextVectors.VALID;

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
    return Stream.concat(
        TraceContextVectors.traceparents().stream()
            .map(c -> Arguments.of(c.name(), c.value(), c.continues() ? T : null)),
        Stream.of(Arguments.of("not sampled", "00-" + T + "-" + P + "-00", T)));
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
