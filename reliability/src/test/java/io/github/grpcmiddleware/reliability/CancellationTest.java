package io.github.grpcmiddleware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Calls that end early: the client cancels before or after the first response, the deadline expires
 * on a sleeping server, the client disconnects mid-stream, the server shuts down with calls in
 * flight. Each ends with the right code at the client and once on the server (handler and chain),
 * logged with its trace id and no ERROR.
 */
class CancellationTest {
  @RegisterExtension final LogCapture logs = LogCapture.forLogger("io.github.grpcmiddleware");

  private List<LoggedEvent> endLines() {
    return logs.events().stream().filter(e -> e.message().startsWith("call ended early")).toList();
  }

  private void assertEndedOnceOnServer(
      FaultService faults, CallEnds ends, String traceId, String... codes) throws Exception {
    ends.awaitEnds(1);
    assertThat(ends.ends).hasSize(1).allSatisfy(e -> assertThat(e).endsWith(":cancel"));
    // The service's cancel handler runs after CallEnds saw onCancel: its log line, written after
    // it noted the end, says it has run.
    LoggedEvent line =
        logs.await(e -> e.message().startsWith("call ended early"), Duration.ofSeconds(5));
    assertThat(faults.ends).singleElement().satisfies(e -> assertThat(e).endsWith(":" + traceId));
    String code = faults.ends.get(0).split(":")[1];
    assertThat(code).isIn((Object[]) codes);
    assertThat(line.message()).isEqualTo("call ended early: " + code);
    assertThat(line.mdc()).containsEntry("traceId", traceId);
    assertThat(endLines()).hasSize(1);
    assertThat(logs.events()).noneMatch(e -> e.level().equals("ERROR") || e.level().equals("WARN"));
  }

  private static CompletableFuture<Rpc.Outcome> startIn(
      Context.CancellableContext scope,
      ChainServer server,
      Rpc.Kind kind,
      String text,
      int deadline)
      throws Exception {
    return startIn(scope, server, kind, text, deadline, new CountDownLatch(0));
  }

  private static CompletableFuture<Rpc.Outcome> startIn(
      Context.CancellableContext scope,
      ChainServer server,
      Rpc.Kind kind,
      String text,
      int deadline,
      CountDownLatch received)
      throws Exception {
    SimpleServiceGrpc.SimpleServiceStub stub =
        SimpleServiceGrpc.newStub(server.channel(Chains.client(Chains.TOKEN_A)));
    return scope.call(
        () -> Rpc.start(stub, kind, FaultsTest.traced("en"), text, 1, deadline, received));
  }

  @Test
  void cancelBeforeTheFirstResponse() throws Exception {
    FaultService faults = new FaultService();
    CallEnds ends = new CallEnds();
    try (ChainServer server = ChainServer.start(3, Chains.server(ends, e -> {}), faults)) {
      Context.CancellableContext scope = Context.current().withCancellation();
      var call = startIn(scope, server, Rpc.Kind.UNARY, "sleep:10000", 10_000);
      assertThat(faults.started.await(5, TimeUnit.SECONDS)).isTrue();
      scope.cancel(null);
      Rpc.Outcome outcome = call.get(5, TimeUnit.SECONDS);
      assertThat(outcome.status().getCode()).isEqualTo(Status.Code.CANCELLED);
      assertThat(outcome.responses()).isEmpty();
      assertEndedOnceOnServer(faults, ends, FaultsTest.TRACE, "CANCELLED");
    }
  }

  @Test
  void cancelAfterTheFirstResponse() throws Exception {
    FaultService faults = new FaultService();
    CallEnds ends = new CallEnds();
    try (ChainServer server = ChainServer.start(3, Chains.server(ends, e -> {}), faults)) {
      Context.CancellableContext scope = Context.current().withCancellation();
      CountDownLatch firstResponse = new CountDownLatch(1);
      var call =
          startIn(scope, server, Rpc.Kind.SERVER_STREAMING, "stream:1000", 10_000, firstResponse);
      assertThat(faults.started.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(firstResponse.await(5, TimeUnit.SECONDS)).as("first response").isTrue();
      scope.cancel(null);
      Rpc.Outcome outcome = call.get(5, TimeUnit.SECONDS);
      assertThat(outcome.status().getCode()).isEqualTo(Status.Code.CANCELLED);
      assertThat(outcome.responses()).isNotEmpty();
      assertEndedOnceOnServer(faults, ends, FaultsTest.TRACE, "CANCELLED");
    }
  }

  @Test
  void deadlineOnASleepingServer() throws Exception {
    FaultService faults = new FaultService();
    CallEnds ends = new CallEnds();
    try (ChainServer server = ChainServer.start(3, Chains.server(ends, e -> {}), faults)) {
      Context.CancellableContext scope = Context.current().withCancellation();
      Rpc.Outcome outcome =
          startIn(scope, server, Rpc.Kind.UNARY, "sleep:10000", 300).get(5, TimeUnit.SECONDS);
      assertThat(outcome.status().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      // The client's deadline cancels the stream (RST_STREAM) while the server's copy of the same
      // deadline, counted from when the headers arrived, fires a moment later: the server sees
      // whichever comes first, and only a server-side DEADLINE_EXCEEDED can say more.
      assertEndedOnceOnServer(faults, ends, FaultsTest.TRACE, "DEADLINE_EXCEEDED", "CANCELLED");
    }
  }

  @Test
  void clientDisconnectMidStream() throws Exception {
    FaultService faults = new FaultService();
    CallEnds ends = new CallEnds();
    try (ChainServer server = ChainServer.start(3, Chains.server(ends, e -> {}), faults)) {
      ManagedChannel channel = server.channel(Chains.client(Chains.TOKEN_A));
      CountDownLatch firstResponse = new CountDownLatch(1);
      var call =
          Rpc.start(
              SimpleServiceGrpc.newStub(channel),
              Rpc.Kind.SERVER_STREAMING,
              FaultsTest.traced("en"),
              "stream:1000",
              1,
              10_000,
              firstResponse);
      assertThat(firstResponse.await(5, TimeUnit.SECONDS)).as("first response").isTrue();
      channel.shutdownNow();
      Rpc.Outcome outcome = call.get(5, TimeUnit.SECONDS);
      assertThat(outcome.status().getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.CANCELLED);
      assertThat(outcome.responses()).isNotEmpty();
      assertEndedOnceOnServer(faults, ends, FaultsTest.TRACE, "CANCELLED");
      assertThat(server.mdcOfEveryPoolThread()).allSatisfy((t, mdc) -> assertThat(mdc).isEmpty());
    }
  }

  @Test
  void serverShutdownWithCallsInFlight() throws Exception {
    FaultService faults = new FaultService();
    CallEnds ends = new CallEnds();
    // Each call holds a pool thread while it runs: four threads for four calls in flight.
    ChainServer server = ChainServer.start(4, Chains.server(ends, e -> {}), faults);
    try {
      SimpleServiceGrpc.SimpleServiceStub stub =
          SimpleServiceGrpc.newStub(server.channel(Chains.client(Chains.TOKEN_A)));
      List<CompletableFuture<Rpc.Outcome>> graceful = new ArrayList<>();
      for (int i = 0; i < 1; i++) {
        graceful.add(
            Rpc.start(stub, Rpc.Kind.UNARY, FaultsTest.traced("en"), "sleep:300", 1, 10_000));
      }
      List<CompletableFuture<Rpc.Outcome>> streams = new ArrayList<>();
      List<CountDownLatch> firstResponses = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        CountDownLatch first = new CountDownLatch(1);
        firstResponses.add(first);
        streams.add(
            Rpc.start(
                stub,
                Rpc.Kind.SERVER_STREAMING,
                FaultsTest.traced("en"),
                "stream:1000",
                1,
                10_000,
                first));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (faults.handled.get() < 4 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(faults.handled).hasValue(4);
      // Each stream's first response is asserted below: it must have arrived before the shutdown.
      for (CountDownLatch first : firstResponses) {
        assertThat(first.await(5, TimeUnit.SECONDS)).as("first response").isTrue();
      }
      server.server.shutdown();
      for (CompletableFuture<Rpc.Outcome> call : graceful) {
        Status status = call.get(10, TimeUnit.SECONDS).status();
        assertThat(status.getCode()).as("%s", status).isEqualTo(Status.Code.OK);
      }
      server.server.shutdownNow();
      for (CompletableFuture<Rpc.Outcome> call : streams) {
        Rpc.Outcome outcome = call.get(10, TimeUnit.SECONDS);
        // The server resets each stream (the client reads CANCELLED) and closes the connection
        // (UNAVAILABLE); which the client reads first is up to the transport.
        assertThat(outcome.status().getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.CANCELLED);
        assertThat(outcome.responses()).isNotEmpty();
      }
      assertThat(server.server.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      ends.awaitEnds(4);
      assertThat(ends.ends).hasSize(4).filteredOn(e -> e.endsWith(":cancel")).hasSize(3);
      faults.awaitEnds(3); // its cancel handlers run after CallEnds saw onCancel
      assertThat(faults.ends)
          .hasSize(3)
          .allSatisfy(e -> assertThat(e).startsWith("cancelled:CANCELLED:" + FaultsTest.TRACE));
      assertThat(logs.events()).noneMatch(e -> e.level().equals("ERROR"));
      assertThat(server.mdcOfEveryPoolThread()).allSatisfy((t, mdc) -> assertThat(mdc).isEmpty());
    } finally {
      server.close();
    }
  }
}
