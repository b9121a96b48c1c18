package io.github.grpcmiddleware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.testing.LogCapture;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On a one-thread server every call runs on the same thread as the one before it: a call that
 * failed, timed out or was cancelled must leave nothing in the MDC for the next one.
 */
class ThreadHygieneTest {
  private static final String FAILED_TRACE = "0af7651916cd43dd8448eb211c80319c";

  @RegisterExtension final LogCapture logs = LogCapture.forLogger("io.github.grpcmiddleware");

  @Test
  void failedTimedOutAndCancelledCallsLeaveNothingForTheNextCallOnTheirThread() throws Exception {
    ProbeService probe = new ProbeService();
    FaultService faults = new FaultService(probe);
    try (ChainServer server = ChainServer.start(1, Chains.server(), faults)) {
      ManagedChannel channel = server.channel(Chains.client(Chains.TOKEN_B));
      SimpleServiceGrpc.SimpleServiceStub stub = SimpleServiceGrpc.newStub(channel);
      Metadata traced = new Metadata();
      traced.put(Rpc.TRACEPARENT, "00-" + FAILED_TRACE + "-b7ad6b7169203331-01");
      traced.put(Rpc.ACCEPT_LANGUAGE, "zh-CN");
      traced.put(Rpc.ascii("x-request-id"), "req-42");

      Rpc.Outcome thrown = await(Rpc.start(stub, Rpc.Kind.UNARY, traced, "throw", 1, 10_000));
      assertThat(thrown.status().getCode()).isEqualTo(Status.Code.INTERNAL);
      assertClean(server);

      Rpc.Outcome bidiThrown = await(Rpc.start(stub, Rpc.Kind.BIDI, traced, "throw", 2, 10_000));
      assertThat(bidiThrown.status().getCode()).isEqualTo(Status.Code.INTERNAL);
      assertClean(server);

      Rpc.Outcome timedOut = await(Rpc.start(stub, Rpc.Kind.UNARY, traced, "sleep:5000", 1, 200));
      assertThat(timedOut.status().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      awaitEnds(faults, 1);
      assertClean(server);

      // grpc-java tells the handler about a client's cancel on the server executor: with one
      // thread busy streaming, the handler only learns of it when it returns (20 x 20 ms here).
      Context.CancellableContext scope = Context.current().withCancellation();
      CountDownLatch firstResponse = new CountDownLatch(1);
      var cancelled =
          scope.call(
              () ->
                  Rpc.start(
                      stub,
                      Rpc.Kind.SERVER_STREAMING,
                      traced,
                      "stream:20",
                      1,
                      10_000,
                      firstResponse));
      assertThat(firstResponse.await(5, TimeUnit.SECONDS)).as("first response").isTrue();
      scope.cancel(null);
      assertThat(await(cancelled).status().getCode()).isEqualTo(Status.Code.CANCELLED);
      awaitEnds(faults, 2);
      assertClean(server);

      ManagedChannel fresh = server.channel(Chains.client(Chains.TOKEN_A));
      Metadata untraced = new Metadata();
      String next = "untraced:alice:en";
      Rpc.Outcome after =
          await(
              Rpc.start(
                  SimpleServiceGrpc.newStub(fresh), Rpc.Kind.UNARY, untraced, next, 1, 10_000));
      assertThat(after.status().getCode()).isEqualTo(Status.Code.OK);
      ProbeService.Observation seen = probe.observations.get(0);
      assertThat(seen.mdcTraceId()).matches("[0-9a-f]{32}").isNotEqualTo(FAILED_TRACE);
      assertThat(seen.mdcPrincipal()).isEqualTo("alice");
      assertThat(seen.mdcLocale()).isEqualTo("en");
      assertThat(logs.events())
          .filteredOn(e -> e.loggerName().equals(ProbeService.LOGGER))
          .singleElement()
          .satisfies(e -> assertThat(e.mdc()).doesNotContainKey("requestId"));
      assertClean(server);
    }
  }

  private static Rpc.Outcome await(java.util.concurrent.CompletableFuture<Rpc.Outcome> call)
      throws Exception {
    return call.get(15, TimeUnit.SECONDS);
  }

  private static void awaitEnds(FaultService faults, int count) throws InterruptedException {
    faults.awaitEnds(count);
    assertThat(faults.ends).hasSize(count);
  }

  private static void assertClean(ChainServer server) throws Exception {
    assertThat(server.mdcOfEveryPoolThread())
        .allSatisfy((thread, mdc) -> assertThat(mdc).as(thread).isEmpty());
  }
}
