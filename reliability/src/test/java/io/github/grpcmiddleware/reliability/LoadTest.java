package io.github.grpcmiddleware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.auth.Auth;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Thousands of concurrent calls of all four kinds through the full chain on Netty with a
 * three-thread server pool: every handler callback and every log line sees its own call's trace id,
 * principal and locale, and the pool threads hold no MDC afterwards.
 */
class LoadTest {
  private static final Pattern HEX32 = Pattern.compile("\\b[0-9a-f]{32}\\b");

  @RegisterExtension final LogCapture logs = LogCapture.forLogger("io.github.grpcmiddleware");

  @Test
  void concurrentCallsOfEveryKindKeepTheirOwnTraceIdPrincipalAndLocale() throws Exception {
    ProbeService probe = new ProbeService();
    int calls = Scale.of(2000);
    try (ChainServer server = ChainServer.start(3, Chains.server(), probe)) {
      ManagedChannel channel = server.channel(Chains.client(Chains.TOKEN_A));
      SimpleServiceGrpc.SimpleServiceStub stub = SimpleServiceGrpc.newStub(channel);
      CallCredentials asBob =
          Auth.clientBuilder().bearerToken(Chains.TOKEN_B).allowPlaintextLoopback(true).build();
      Semaphore inFlight = new Semaphore(64);
      List<String> expected = new ArrayList<>();
      List<Rpc.Kind> kinds = new ArrayList<>();
      List<CompletableFuture<Rpc.Outcome>> outcomes = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        String traceId = String.format("%032x", 0x5eed0000L + i);
        boolean bob = i % 3 == 0;
        boolean chinese = i % 2 == 0;
        Metadata headers = new Metadata();
        headers.put(Rpc.TRACEPARENT, "00-" + traceId + "-00f067aa0ba902b7-01");
        headers.put(Rpc.ACCEPT_LANGUAGE, chinese ? "zh-CN,zh;q=0.9" : "en-GB;q=0.8");
        String identity =
            traceId + ":" + (bob ? "bob" : "alice") + ":" + (chinese ? "zh-CN" : "en");
        Rpc.Kind kind = Rpc.Kind.values()[i % 4];
        inFlight.acquire();
        CompletableFuture<Rpc.Outcome> outcome =
            Rpc.start(
                bob ? stub.withCallCredentials(asBob) : stub, kind, headers, identity, 2, 30_000);
        outcome.whenComplete((o, t) -> inFlight.release());
        expected.add(identity);
        kinds.add(kind);
        outcomes.add(outcome);
      }
      int callbacks = 0;
      for (int i = 0; i < calls; i++) {
        Rpc.Outcome outcome = outcomes.get(i).get(40, TimeUnit.SECONDS);
        String identity = expected.get(i);
        String traceId = identity.substring(0, 32);
        assertThat(outcome.status().getCode()).as(identity).isEqualTo(Status.Code.OK);
        assertThat(outcome.responses())
            .as(identity)
            .hasSize(Rpc.expectedResponses(kinds.get(i), 2))
            .containsOnly(identity);
        assertThat(outcome.clientMdcTraceIds()).as("client callbacks").containsOnly(traceId);
        assertThat(outcome.header(Rpc.X_TRACE_ID)).isEqualTo(traceId);
        callbacks +=
            switch (kinds.get(i)) {
              case UNARY -> 1;
              case SERVER_STREAMING -> ProbeService.STREAMED;
              case CLIENT_STREAMING, BIDI -> 2;
            };
      }

      assertThat(probe.observations).hasSize(callbacks);
      assertThat(probe.observations)
          .filteredOn(o -> !o.consistent())
          .as("handler callbacks that saw another call's identity")
          .isEmpty();
      assertNoCrossTalkInLogs(logs.events(), new HashSet<>(expected), callbacks);
      assertThat(server.mdcOfEveryPoolThread())
          .allSatisfy((thread, mdc) -> assertThat(mdc).isEmpty());
    }
  }

  /** Every probe line names its call; every line that names a trace id logs with that id. */
  static void assertNoCrossTalkInLogs(
      List<LoggedEvent> events, Set<String> identities, int probes) {
    List<LoggedEvent> probeLines =
        events.stream().filter(e -> e.loggerName().equals(ProbeService.LOGGER)).toList();
    assertThat(probeLines).hasSize(probes);
    for (LoggedEvent event : probeLines) {
      String identity = event.message().substring(event.message().lastIndexOf(' ') + 1);
      assertThat(identities).contains(identity);
      Map<String, String> mdc = event.mdc();
      assertThat(mdc.get("traceId") + ":" + mdc.get("principal") + ":" + mdc.get("locale"))
          .as("MDC of %s", event)
          .isEqualTo(identity);
    }
    for (LoggedEvent event : events) {
      Matcher m = HEX32.matcher(event.message());
      while (m.find()) {
        assertThat(event.mdc().get("traceId")).as("MDC of %s", event).isEqualTo(m.group());
      }
    }
  }
}
