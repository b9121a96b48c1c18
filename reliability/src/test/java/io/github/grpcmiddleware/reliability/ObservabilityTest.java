package io.github.grpcmiddleware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.auth.Auth;
import io.github.grpcmiddleware.auth.Authenticators;
import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.logging.AccessLog;
import io.github.grpcmiddleware.metrics.GrpcMetrics;
import io.github.grpcmiddleware.otel.GrpcTracing;
import io.github.grpcmiddleware.otel.testsupport.InMemoryOtel;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.github.grpcmiddleware.testing.TestCredentials;
import io.github.grpcmiddleware.testsupport.CallTimers;
import io.grpc.CallCredentials;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The chain with observability and OpenTelemetry installed: every call that ends (OK, handler bug,
 * rejected, cancelled, timed out) is recorded exactly once with the same code in the access log,
 * the metrics and its span; no canary credential appears in a span attribute, metric tag or access
 * line; unauthenticated callers can neither force sampling (with the sampler the docs recommend)
 * nor inflate baggage.
 */
class ObservabilityTest {
  private static final String CANARY = "cnry-obs-3e9b1f7a5c2d";
  private static final String TRACE = FaultsTest.TRACE;

  @RegisterExtension
  final LogCapture access = LogCapture.forLogger(AccessLog.SERVER_LOGGER_NAME).atLevel("DEBUG");

  @RegisterExtension final InMemoryOtel otel = InMemoryOtel.traceContextAndBaggage();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<Integer> baggageSizes = new CopyOnWriteArrayList<>();

  /** Records the baggage every call carries, authenticated or not (it sits outside auth). */
  private final ServerInterceptor baggageProbe =
      new ServerInterceptor() {
        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
          Baggage baggage = Baggage.current();
          int[] chars = {0};
          baggage.forEach((k, v) -> chars[0] += k.length() + v.getValue().length());
          baggageSizes.add(baggage.size());
          baggageSizes.add(chars[0]);
          return next.startCall(call, headers);
        }
      };

  private ServerInterceptor chain(Sampler sampler) {
    return ServerChain.builder()
        .tracing(GrpcTracing.newServerInterceptor(otel.sdk(sampler)))
        .observability(AccessLog.serverBuilder().build())
        .observability(GrpcMetrics.serverBuilder(registry).build())
        .errorMapping(ErrorMapping.serverBuilder().build())
        .application(baggageProbe)
        .auth(
            Auth.serverBuilder()
                .authenticator(Authenticators.bearerTokens(Map.of(CANARY, "canary-user")))
                .build())
        .build();
  }

  /**
   * Makes one call; with {@code cancel}, cancels it once the handler of {@code faults} has it (a
   * call cancelled before that would never reach the server).
   */
  private static Rpc.Outcome call(
      ChainServer server,
      FaultService faults,
      CallCredentials credentials,
      Rpc.Kind kind,
      String text,
      int deadline,
      boolean cancel)
      throws Exception {
    Context.CancellableContext scope = Context.current().withCancellation();
    SimpleServiceGrpc.SimpleServiceStub stub =
        SimpleServiceGrpc.newStub(server.channel(Chains.anonymousClient()))
            .withCallCredentials(credentials);
    int handled = faults.handled.get();
    var outcome =
        scope.call(() -> Rpc.start(stub, kind, FaultsTest.traced("en"), text, 1, deadline));
    if (cancel) {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (faults.handled.get() == handled && System.nanoTime() < end) {
        Thread.sleep(5);
      }
      assertThat(faults.handled.get()).as("calls handled").isEqualTo(handled + 1);
      scope.cancel(null);
    }
    return outcome.get(10, TimeUnit.SECONDS);
  }

  @Test
  void everyEndIsRecordedOnceWithTheSameCodeInLogMetricsAndSpans() throws Exception {
    FaultService faults = new FaultService();
    CallCredentials good =
        Auth.clientBuilder().bearerToken(CANARY).allowPlaintextLoopback(true).build();
    List<SpanData> spans;
    List<LoggedEvent> lines;
    try (ChainServer server = ChainServer.start(3, chain(Sampler.alwaysOn()), faults)) {
      assertThat(
              call(server, faults, good, Rpc.Kind.UNARY, "echo", 10_000, false).status().getCode())
          .isEqualTo(Status.Code.OK);
      assertThat(
              call(server, faults, good, Rpc.Kind.UNARY, "throw", 10_000, false).status().getCode())
          .isEqualTo(Status.Code.INTERNAL);
      assertThat(
              call(
                      server,
                      faults,
                      TestCredentials.bearer(CANARY + "x"),
                      Rpc.Kind.UNARY,
                      "x",
                      10_000,
                      false)
                  .status()
                  .getCode())
          .isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(
              call(server, faults, good, Rpc.Kind.UNARY, "sleep:10000", 10_000, true)
                  .status()
                  .getCode())
          .isEqualTo(Status.Code.CANCELLED);
      assertThat(
              call(server, faults, good, Rpc.Kind.UNARY, "sleep:10000", 300, false)
                  .status()
                  .getCode())
          .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      assertThat(
              call(server, faults, good, Rpc.Kind.SERVER_STREAMING, "stream:1000", 10_000, true)
                  .status()
                  .getCode())
          .isEqualTo(Status.Code.CANCELLED);
      // Wait for the server's records while it runs: a client's cancel reaches the server a moment
      // after the client returns, and a server stopped before that ends the call UNAVAILABLE.
      spans = otel.awaitSpans(6);
      lines = access.awaitEvents(6, Duration.ofSeconds(10));
      // A call's end writes its access-log line before it records its timer: wait for the timers.
      CallTimers.await(registry.find("grpc.server.calls"), 6, Duration.ofSeconds(10));
    }
    List<String> timedOut = List.of("DEADLINE_EXCEEDED", "CANCELLED");
    assertThat(spans).hasSize(6);
    assertThat(lines).hasSize(6);
    List<String> spanCodes =
        spans.stream()
            .map(
                s ->
                    String.valueOf(
                        s.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code"))))
            .map(v -> Status.fromCodeValue(Integer.parseInt(v)).getCode().name())
            .toList();
    List<String> lineCodes = lines.stream().map(e -> e.message().split(" ")[3]).toList();
    assertThat(lineCodes).containsExactlyInAnyOrderElementsOf(spanCodes);
    assertThat(lineCodes)
        .contains("OK", "INTERNAL", "UNAUTHENTICATED")
        .filteredOn("CANCELLED"::equals)
        .hasSizeGreaterThanOrEqualTo(2);
    assertThat(lineCodes).as("codes %s", lines).filteredOn(timedOut::contains).hasSize(3);
    double counted = 0;
    for (Meter meter : registry.getMeters()) {
      for (Tag tag : meter.getId().getTags()) {
        assertThat(tag.getValue()).doesNotContain(CANARY, "cnry-");
      }
    }
    for (String code : List.of("OK", "INTERNAL", "UNAUTHENTICATED")) {
      var timers = registry.find("grpc.server.calls").tag("grpc.status", code).timers();
      assertThat(timers).as(code).isNotEmpty();
      counted += timers.stream().mapToLong(t -> t.count()).sum();
    }
    assertThat(counted).isEqualTo(3);
    for (SpanData span : spans) {
      assertThat(span.getAttributes().toString()).doesNotContain("cnry-");
      assertThat(span.getTraceId()).isEqualTo(TRACE);
    }
    for (LoggedEvent line : lines) {
      assertThat(line.toString()).doesNotContain("cnry-");
      assertThat(line.mdc().toString()).doesNotContain("cnry-");
    }
  }

  @Test
  void unauthenticatedCallersCannotForceSamplingOrInflateBaggage() throws Exception {
    Sampler off = Sampler.alwaysOff();
    Sampler ignoreRemote =
        Sampler.parentBasedBuilder(off)
            .setRemoteParentSampled(off)
            .setRemoteParentNotSampled(off)
            .build();
    Metadata hostile = FaultsTest.traced("en"); // sampled flag 01
    StringBuilder baggage = new StringBuilder();
    for (int i = 0; i < 300; i++) { // 300 entries, ~3 KB: under the 8 KiB header limit
      baggage.append(i == 0 ? "" : ",").append("k").append(i).append('=').append("v".repeat(5));
    }
    hostile.put(Rpc.ascii("baggage"), baggage.toString());
    for (Sampler sampler : List.of(ignoreRemote, Sampler.parentBased(off))) {
      otel.reset();
      baggageSizes.clear();
      try (ChainServer server = ChainServer.start(2, chain(sampler), new FaultService())) {
        Rpc.Outcome outcome =
            Rpc.start(
                    SimpleServiceGrpc.newStub(server.channel(Chains.anonymousClient())),
                    Rpc.Kind.UNARY,
                    hostile,
                    "x",
                    1,
                    10_000)
                .get(10, TimeUnit.SECONDS);
        assertThat(outcome.status().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      }
      assertThat(baggageSizes).hasSize(2);
      assertThat(baggageSizes.get(0)).isLessThanOrEqualTo(64);
      assertThat(baggageSizes.get(1)).isLessThanOrEqualTo(4096);
      if (sampler == ignoreRemote) {
        assertThat(otel.spans()).as("sampling forced by the caller").isEmpty();
      } else {
        // Control: the SDK's default parent-based sampler does follow the caller's flag.
        assertThat(otel.spans()).hasSize(1);
      }
    }
    assertThat(access.events())
        .hasSize(2)
        .allSatisfy(e -> assertThat(e.message()).contains("UNAUTHENTICATED"));
  }
}
