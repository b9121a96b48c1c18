package io.github.grpcmiddleware.trace;

import static io.github.grpcmiddleware.testsupport.TraceContextVectors.members;
import static io.github.grpcmiddleware.testsupport.TraceContextVectors.ofLength;
import static io.github.grpcmiddleware.testsupport.TraceContextVectors.printable;
import static io.github.grpcmiddleware.trace.TraceHeadersTest.T;
import static io.github.grpcmiddleware.trace.TraceHeadersTest.TRACEPARENT;
import static io.github.grpcmiddleware.trace.TraceHeadersTest.VALID;
import static io.github.grpcmiddleware.trace.TraceIdsServerInterceptorTest.request;
import static io.github.grpcmiddleware.trace.TracePropagationTest.TRACESTATE;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule of the W3C {@code tracestate} section, through a service that continues the trace to a
 * second one: what the second receives is what core forwards. A valid list (all headers combined in
 * order, a key sent again dropped) is forwarded as one header; an invalid one is discarded whole.
 */
class TraceStateTest {
  static final HeaderCapture atB = new HeaderCapture();

  @RegisterExtension
  static final GrpcServerExtension serviceB =
      GrpcServerExtension.builder()
          .service(new TraceTestService())
          .interceptor(atB, TraceIds.newServerInterceptor())
          .build();

  @RegisterExtension
  static final GrpcServerExtension serviceA =
      GrpcServerExtension.builder()
          .service(new ServiceA())
          .interceptor(TraceIds.newServerInterceptor())
          .build();

  /** Calls B from the handler, continuing the trace. */
  static final class ServiceA extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> observer) {
      SimpleServiceGrpc.newBlockingStub(serviceB.channel(TraceIds.newClientInterceptor()))
          .unaryRpc(request);
      observer.onNext(SimpleResponse.getDefaultInstance());
      observer.onCompleted();
    }
  }

  static String repeat(char c, int count) {
    return String.join("", Collections.nCopies(count, String.valueOf(c)));
  }

  /** Name, the tracestate header values sent in order, the single list B must receive or null. */
  static Stream<Arguments> cases() {
    String key256 = "k" + repeat('x', 255);
    return Stream.of(
        // Valid lists, forwarded as they are.
        kept("one member", "congo=t61rcWkgMzE"),
        kept("two members", "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"),
        kept("every key character", "a0_-*/@z=1"),
        kept("key starts with a digit", "1foo=1"),
        kept("key with vendor", "tenant@vendor=1"),
        kept("key ending in @", "foo@=1"),
        kept("key with two @", "foo@@bar=1"),
        kept("key of 256 characters", key256 + "=1"),
        kept("one-character key and value", "a=b"),
        kept("value of 256 characters", "k=" + repeat('v', 256)),
        kept("value of every printable", "k=" + printable()),
        kept("value starting with a space", "k= v"),
        kept("32 members", members(0, 32)),
        kept("512 characters", ofLength(512)),
        // Combined and trimmed.
        combined("two headers, in order", list("foo=1", "bar=2"), "foo=1,bar=2"),
        combined("three headers", list("a=1,b=2", "c=3", "d=4"), "a=1,b=2,c=3,d=4"),
        combined(
            "32 members over two headers", list(members(0, 16), members(16, 16)), members(0, 32)),
        combined("spaces around commas", list("a=1 , b=2"), "a=1,b=2"),
        combined("tabs around commas", list("a=1\t,\tb=2"), "a=1,b=2"),
        combined("spaces at the ends", list("  a=1  "), "a=1"),
        combined("empty members", list(",a=1,,, b=2,"), "a=1,b=2"),
        combined("an empty header beside a full one", list("", "a=1"), "a=1"),
        combined("512 characters once trimmed", list(" " + ofLength(512) + " "), ofLength(512)),
        // A key sent twice: the first member is kept, later ones dropped (the W3C suite's
        // test_tracestate_duplicated_keys).
        combined("duplicated key, same value", list("foo=1,foo=1"), "foo=1"),
        combined("duplicated key, other value", list("foo=1,foo=2"), "foo=1"),
        combined("duplicated key keeps its first place", list("a=1,b=2,a=3"), "a=1,b=2"),
        combined("duplicated key over two headers", list("a=1", "a=2,b=3"), "a=1,b=3"),
        combined("32 members and a duplicate", list(members(0, 32) + ",m0=w"), members(0, 32)),
        combined("512 characters and a duplicate", list(ofLength(512) + ",a=1"), ofLength(512)),
        // Nothing to forward.
        discarded("empty header", ""),
        discarded("only commas and spaces", " , ,\t,"),
        // Invalid lists, discarded whole.
        discarded("space inside the key", "foo =1"),
        discarded("key starts with @", "@foo=1"),
        discarded("key starts with _", "_foo=1"),
        discarded("key starts with *", "*foo=1"),
        discarded("uppercase key", "FOO=1"),
        discarded("dot in the key", "foo.bar=1"),
        discarded("key of 257 characters", key256 + "x=1"),
        discarded("empty key", "=1"),
        discarded("no =", "foo"),
        discarded("empty value", "foo="),
        discarded("= in the value", "foo=bar=baz"),
        discarded("value of 257 characters", "k=" + repeat('v', 257)),
        discarded("tab inside the value", "k=a\tb"),
        discarded("control character in the value", "k=a\u0001b"),
        discarded("DEL in the value", "k=a\u007fb"),
        discarded("invalid duplicate of a key", "a=1,a=,b=2"),
        discarded("33 members", members(0, 33)),
        discarded("33 members over two headers", members(0, 17), members(17, 16)),
        discarded("513 characters", ofLength(513)),
        discarded("one invalid member among valid ones", "a=1,B=2,c=3"),
        discarded("invalid member in the second header", "a=1", "b c=2"));
  }

  private static List<String> list(String... values) {
    List<String> list = new ArrayList<>();
    Collections.addAll(list, values);
    return list;
  }

  /** A valid single header, forwarded unchanged. */
  private static Arguments kept(String name, String value) {
    return Arguments.of(name, list(value), value);
  }

  /** Headers combined (and trimmed) into {@code expected}. */
  private static Arguments combined(String name, List<String> values, String expected) {
    return Arguments.of(name, values, expected);
  }

  /** Headers that leave nothing to forward. */
  private static Arguments discarded(String name, String... values) {
    return Arguments.of(name, list(values), null);
  }

  @BeforeEach
  void clear() {
    atB.headers.clear();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("cases")
  void tracestateIsCombinedValidatedAndForwardedOrDiscardedWhole(
      String name, List<String> sent, @Nullable String expected) {
    Metadata headers = new Metadata();
    headers.put(TRACEPARENT, VALID);
    for (String value : sent) {
      headers.put(TRACESTATE, value);
    }
    SimpleServiceGrpc.newBlockingStub(serviceA.channel())
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .unaryRpc(request("tracestate"));

    Metadata atServiceB = atB.last();
    assertThat(atServiceB.get(TRACEPARENT)).startsWith("00-" + T + "-").endsWith("-01");
    Iterable<String> forwarded = atServiceB.getAll(TRACESTATE);
    if (expected == null) {
      assertThat(forwarded).as("discarded whole").isNull();
    } else {
      assertThat(forwarded).as("one combined header").containsExactly(expected);
      assertThat(expected.length()).isLessThanOrEqualTo(512);
    }
  }
}
