package io.github.grpcmiddleware.trace;

import static io.github.grpcmiddleware.trace.TraceHeadersTest.P;
import static io.github.grpcmiddleware.trace.TraceHeadersTest.T;
import static io.github.grpcmiddleware.trace.TraceHeadersTest.TRACEPARENT;
import static io.github.grpcmiddleware.trace.TraceHeadersTest.VALID;
import static io.github.grpcmiddleware.trace.TraceIdsServerInterceptorTest.X_TRACE_ID;
import static io.github.grpcmiddleware.trace.TraceIdsServerInterceptorTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

/** client -> service A -> service B keeps one trace id, with W3C flags and tracestate. */
class TracePropagationTest {
  static final Metadata.Key<String> TRACESTATE =
      Metadata.Key.of("tracestate", Metadata.ASCII_STRING_MARSHALLER);
  static final String STATE = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7";

  static final HeaderCapture atB = new HeaderCapture();
  static final HeaderCapture atA = new HeaderCapture();

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
          .interceptor(atA, TraceIds.newServerInterceptor())
          .build();

  /** Calls B from the handler, then answers "A's observation|B's observation|A's after". */
  static final class ServiceA extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> observer) {
      String before = TraceTestService.observed();
      ManagedChannel toB = serviceB.channel(TraceIds.newClientInterceptor());
      String b = SimpleServiceGrpc.newBlockingStub(toB).unaryRpc(request).getResponseMessage();
      String after = TraceTestService.observed();
      observer.onNext(
          SimpleResponse.newBuilder().setResponseMessage(before + "|" + b + "|" + after).build());
      observer.onCompleted();
    }
  }

  final AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
  final AtomicReference<Metadata> trailers = new AtomicReference<>();

  @BeforeEach
  void clear() {
    atA.headers.clear();
    atB.headers.clear();
  }

  @AfterEach
  void clearMdc() {
    MDC.clear();
  }

  /** Calls A; returns [A's trace id, B's trace id, x-trace-id from A]. */
  private List<String> callA(Metadata headers, ClientInterceptor... channelInterceptors) {
    String message =
        SimpleServiceGrpc.newBlockingStub(serviceA.channel(channelInterceptors))
            .withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(headers),
                MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers))
            .unaryRpc(request("two hops"))
            .getResponseMessage();
    String[] hops = message.split("\\|");
    assertThat(hops).hasSize(3);
    assertThat(hops[2]).as("A's MDC after calling B").isEqualTo(hops[0]);
    List<String> ids = new ArrayList<>();
    ids.add(hops[0].split(" ")[0]);
    ids.add(hops[1].split(" ")[0]);
    ids.add(Objects.requireNonNull(responseHeaders.get()).get(X_TRACE_ID));
    assertThat(hops[0].split(" ")[1]).isEqualTo(ids.get(0));
    assertThat(hops[1].split(" ")[1]).isEqualTo(ids.get(1));
    return ids;
  }

  private static String traceparentAt(HeaderCapture capture) {
    Iterable<String> all = capture.last().getAll(TRACEPARENT);
    assertThat(all).isNotNull().hasSize(1);
    return Objects.requireNonNull(all).iterator().next();
  }

  @Test
  void traceStartedByTheClientCrossesBothHopsSampled() {
    List<String> ids = callA(new Metadata(), TraceIds.newClientInterceptor());

    assertThat(ids.get(0)).matches("[0-9a-f]{32}");
    assertThat(ids).containsOnly(ids.get(0));
    String toA = traceparentAt(atA);
    String toB = traceparentAt(atB);
    // Sampled, so that a default (parent-based) OpenTelemetry SDK behind A or B records the calls.
    assertThat(toA).matches("00-" + ids.get(0) + "-[0-9a-f]{16}-01");
    assertThat(toB).matches("00-" + ids.get(0) + "-[0-9a-f]{16}-01");
    assertThat(toB.substring(36, 52)).as("fresh parent id").isNotEqualTo(toA.substring(36, 52));
    assertThat(atB.last().get(TRACESTATE)).isNull();
  }

  @Test
  void incomingFlagsAndTracestateAreKept() {
    Metadata headers = new Metadata();
    headers.put(TRACEPARENT, VALID);
    headers.put(TRACESTATE, STATE);
    List<String> ids = callA(headers);

    assertThat(ids).containsOnly(T);
    String toB = traceparentAt(atB);
    assertThat(toB).matches("00-" + T + "-[0-9a-f]{16}-01").doesNotContain(P);
    assertThat(atB.last().get(TRACESTATE)).isEqualTo(STATE);
  }

  @Test
  void invalidTraceparentRestartsTheTraceAndDropsTracestate() {
    Metadata headers = new Metadata();
    headers.put(TRACEPARENT, "ff-" + T + "-" + P + "-01");
    headers.put(TRACESTATE, STATE);
    List<String> ids = callA(headers);

    assertThat(ids.get(0)).matches("[0-9a-f]{32}").isNotEqualTo(T);
    assertThat(ids).containsOnly(ids.get(0));
    // A started the trace and no tracer decided on it: sent sampled, like a client's own trace.
    assertThat(traceparentAt(atB)).endsWith("-01");
    assertThat(atB.last().get(TRACESTATE)).isNull();
  }

  @Test
  void anExistingTraceparentIsLeftAlone() {
    Metadata headers = new Metadata();
    headers.put(TRACEPARENT, VALID);
    List<String> ids = callA(headers, TraceIds.newClientInterceptor());

    assertThat(traceparentAt(atA)).isEqualTo(VALID);
    assertThat(ids).containsOnly(T);
  }

  @Test
  void callerMdcTraceIdIsUsedOnlyWhenValid() {
    String fromMdc = "0af7651916cd43dd8448eb211c80319c";
    MDC.put("traceId", fromMdc);
    assertThat(callA(new Metadata(), TraceIds.newClientInterceptor())).containsOnly(fromMdc);
    assertThat(traceparentAt(atA)).endsWith("-01");

    MDC.put("traceId", "not-a-trace-id");
    List<String> ids = callA(new Metadata(), TraceIds.newClientInterceptor());
    assertThat(ids.get(0)).matches("[0-9a-f]{32}");
    assertThat(ids).containsOnly(ids.get(0));
    assertThat(MDC.get("traceId")).isEqualTo("not-a-trace-id");
  }

  @Test
  void anUpstreamNotSampledDecisionIsNeverOverridden() {
    Metadata headers = new Metadata();
    headers.put(TRACEPARENT, "00-" + T + "-" + P + "-00");
    List<String> ids = callA(headers, TraceIds.newClientInterceptor());

    assertThat(ids).containsOnly(T);
    assertThat(traceparentAt(atB)).matches("00-" + T + "-[0-9a-f]{16}-00");
  }

  @Test
  void sampleNewTracesFalseSendsNewTracesUnsampled() {
    ClientInterceptor unsampled = TraceIds.clientBuilder().sampleNewTraces(false).build();
    List<String> ids = callA(new Metadata(), unsampled);

    assertThat(ids).containsOnly(ids.get(0));
    assertThat(traceparentAt(atA)).matches("00-" + ids.get(0) + "-[0-9a-f]{16}-00");
    // A continues the caller's trace with the caller's flags.
    assertThat(traceparentAt(atB)).matches("00-" + ids.get(0) + "-[0-9a-f]{16}-00");
  }
}
