package io.github.grpcmiddleware.otel;

import static io.github.grpcmiddleware.otel.TwoHops.TRACEPARENT;
import static io.github.grpcmiddleware.otel.TwoHops.TRACESTATE;
import static io.github.grpcmiddleware.testsupport.TraceContextVectors.members;
import static io.github.grpcmiddleware.testsupport.TraceContextVectors.ofLength;
import static io.github.grpcmiddleware.testsupport.TraceContextVectors.printable;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.testsupport.TraceContextVectors;
import io.grpc.Metadata;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule of the W3C {@code traceparent} and {@code tracestate} sections, for a server whose
 * trace slot is {@link GrpcTracing}: the same values core accepts continue the trace (the server
 * span's parent is the caller's), the same values core rejects start a new one, repeated {@code
 * tracestate} headers are combined in order, a key sent again is dropped, and an invalid list is
 * discarded whole. What the server's own downstream call (through core's client) sends is checked
 * too.
 */
class TraceContextRulesTest {
  static final String T = TraceContextVectors.TRACE_ID;
  static final String P = TraceContextVectors.PARENT_ID;
  static final String VALID = TraceContextVectors.VALID;

  private final TwoHops hops = new TwoHops();

  TraceContextRulesTest() throws IOException {}

  @AfterEach
  void close() {
    hops.close();
  }

  /** Name, traceparent, whether it continues the trace. */
  static Stream<Arguments> traceparents() {
    return TraceContextVectors.traceparents().stream()
        .map(c -> Arguments.of(c.name(), c.value(), c.continues()));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("traceparents")
  void traceparent(String name, String value, boolean continues) {
    Metadata headers = new Metadata();
    headers.put(TRACEPARENT, value);
    String echoed = hops.call(headers);

    SpanData server = onlyServerSpan();
    assertThat(echoed).isEqualTo(server.getTraceId()).isEqualTo(hops.handlerMdc.get());
    String toB = hops.lastAtB().get(TRACEPARENT);
    if (continues) {
      assertThat(server.getTraceId()).isEqualTo(T);
      assertThat(server.getParentSpanContext().isRemote()).isTrue();
      assertThat(server.getParentSpanId()).isEqualTo(P);
    } else {
      assertThat(server.getTraceId()).matches("[0-9a-f]{32}").isNotEqualTo(T);
      assertThat(server.getParentSpanContext().isValid()).as("no parent").isFalse();
    }
    // The server's own call continues its span: same trace, the span as parent, sampled.
    assertThat(toB).isEqualTo("00-" + server.getTraceId() + "-" + server.getSpanId() + "-01");
  }

  @Test
  void notSampledByTheCallerIsNotRecordedAndStaysNotSampledDownstream() {
    Metadata headers = new Metadata();
    headers.put(TRACEPARENT, "00-" + T + "-" + P + "-00");
    String echoed = hops.call(headers);

    assertThat(hops.otel.spans()).isEmpty();
    SpanContext span = hops.handlerSpan();
    assertThat(span.getTraceId()).isEqualTo(T).isEqualTo(echoed);
    assertThat(span.isSampled()).isFalse();
    assertThat(hops.lastAtB().get(TRACEPARENT)).matches("00-" + T + "-[0-9a-f]{16}-00");
  }

  @Test
  void conflictingRepeatedTraceparentStartsANewTraceAsCoreDoes() {
    Metadata headers = new Metadata();
    headers.put(TRACEPARENT, VALID);
    headers.put(TRACEPARENT, "00-" + "1".repeat(32) + "-" + P + "-01");
    hops.call(headers);

    SpanData server = onlyServerSpan();
    assertThat(server.getTraceId()).isNotIn(T, "1".repeat(32));
    assertThat(server.getParentSpanContext().isValid()).isFalse();
  }

  @Test
  void identicalRepeatedTraceparentContinuesTheTrace() {
    Metadata headers = new Metadata();
    headers.put(TRACEPARENT, VALID);
    headers.put(TRACEPARENT, VALID);
    hops.call(headers);

    assertThat(onlyServerSpan().getParentSpanId()).isEqualTo(P);
  }

  /**
   * Name, the tracestate values sent in order, the list the span gets (and B receives), or null
   * when nothing is kept.
   */
  static Stream<Arguments> tracestates() {
    String key256 = "k" + "x".repeat(255);
    return Stream.of(
        kept("one member", "congo=t61rcWkgMzE"),
        kept("two members", "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"),
        kept("key with vendor", "tenant@vendor=1"),
        kept("every key character", "a0_-*/@z=1"),
        kept("key of 256 characters", key256 + "=1"),
        kept("one-character key and value", "a=b"),
        kept("value of 256 characters", "k=" + "v".repeat(256)),
        kept("value of every printable", "k=" + printable()),
        kept("value starting with a space", "k= v"),
        kept("32 members", members(0, 32)),
        kept("512 characters", ofLength(512)),
        // Valid by the current W3C grammar, which core keeps; OpenTelemetry's SDK still applies
        // the older tenant@vendor rule and drops these members from the span's TraceState.
        Arguments.of("key starts with a digit (SDK drops)", List.of("1foo=1"), null),
        Arguments.of("key ending in @ (SDK drops)", List.of("foo@=1"), null),
        Arguments.of("key with two @ (SDK drops)", List.of("foo@@bar=1"), null),
        Arguments.of("two headers, in order", List.of("foo=1", "bar=2"), "foo=1,bar=2"),
        Arguments.of("three headers", List.of("a=1,b=2", "c=3", "d=4"), "a=1,b=2,c=3,d=4"),
        Arguments.of(
            "32 members over two headers",
            List.of(members(0, 16), members(16, 16)),
            members(0, 32)),
        Arguments.of("spaces around commas", List.of("a=1 , b=2"), "a=1,b=2"),
        Arguments.of("tabs around commas", List.of("a=1\t,\tb=2"), "a=1,b=2"),
        Arguments.of("empty members", List.of(",a=1,,, b=2,"), "a=1,b=2"),
        Arguments.of("an empty header beside a full one", List.of("", "a=1"), "a=1"),
        // A key sent twice: the first member is kept (the W3C suite's
        // test_tracestate_duplicated_keys).
        Arguments.of("duplicated key, same value", List.of("foo=1,foo=1"), "foo=1"),
        Arguments.of("duplicated key, other value", List.of("foo=1,foo=2"), "foo=1"),
        Arguments.of("duplicated key keeps its first place", List.of("a=1,b=2,a=3"), "a=1,b=2"),
        Arguments.of("duplicated key over two headers", List.of("a=1", "a=2,b=3"), "a=1,b=3"),
        discarded("empty header", ""),
        discarded("only commas and spaces", " , ,\t,"),
        discarded("space inside the key", "foo =1"),
        discarded("key starts with @", "@foo=1"),
        discarded("key starts with _", "_foo=1"),
        discarded("uppercase key", "FOO=1"),
        discarded("dot in the key", "foo.bar=1"),
        discarded("key of 257 characters", key256 + "x=1"),
        discarded("empty key", "=1"),
        discarded("no =", "foo"),
        discarded("empty value", "foo="),
        discarded("= in the value", "foo=bar=baz"),
        discarded("value of 257 characters", "k=" + "v".repeat(257)),
        discarded("tab inside the value", "k=a\tb"),
        discarded("control character in the value", "k=a\u0001b"),
        discarded("invalid duplicate of a key", "a=1,a=,b=2"),
        discarded("33 members", members(0, 33)),
        discarded("33 members over two headers", members(0, 17), members(17, 16)),
        discarded("513 characters", ofLength(513)),
        discarded("one invalid member among valid ones", "a=1,B=2,c=3"),
        discarded("invalid member in the second header", "a=1", "b c=2"));
  }

  private static Arguments kept(String name, String value) {
    return Arguments.of(name, List.of(value), value);
  }

  private static Arguments discarded(String name, String... values) {
    return Arguments.of(name, new ArrayList<>(Arrays.asList(values)), null);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("tracestates")
  void tracestate(String name, List<String> sent, @Nullable String expected) {
    Metadata headers = new Metadata();
    headers.put(TRACEPARENT, VALID);
    for (String value : sent) {
      headers.put(TRACESTATE, value);
    }
    hops.call(headers);

    SpanData server = onlyServerSpan();
    assertThat(server.getParentSpanId()).as("traceparent still honoured").isEqualTo(P);
    String spanState = format(server.getParentSpanContext());
    Iterable<String> atB = hops.lastAtB().getAll(TRACESTATE);
    if (expected == null) {
      assertThat(spanState).as("discarded whole").isEmpty();
      assertThat(atB).as("nothing forwarded").isNull();
    } else {
      assertThat(spanState).isEqualTo(expected);
      assertThat(format(hops.handlerSpan())).isEqualTo(expected);
      assertThat(atB).as("forwarded by core's client").containsExactly(expected);
    }
  }

  private static String format(SpanContext context) {
    List<String> members = new ArrayList<>();
    context.getTraceState().forEach((key, value) -> members.add(key + "=" + value));
    return String.join(",", members);
  }

  private SpanData onlyServerSpan() {
    List<SpanData> spans = hops.otel.spans();
    assertThat(spans).hasSize(1);
    return spans.get(0);
  }
}
