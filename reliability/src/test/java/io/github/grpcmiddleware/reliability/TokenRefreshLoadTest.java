package io.github.grpcmiddleware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.auth.AccessToken;
import io.github.grpcmiddleware.auth.Auth;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Many concurrent calls while the cached client token expires: exactly one fetch serves them all,
 * and every call arrives authenticated. Tokens alternate between two callers so the server shows
 * which token each call carried.
 */
class TokenRefreshLoadTest {

  @Test
  void manyCallsWhileTheTokenExpiresCauseOneRefreshAndAllAuthenticate() throws Exception {
    MutableClock clock = new MutableClock();
    AtomicInteger fetches = new AtomicInteger();
    ExecutorService fetchPool = Executors.newFixedThreadPool(2);
    ProbeService probe = new ProbeService();
    try (ChainServer server = ChainServer.start(3, Chains.server(), probe)) {
      ManagedChannel channel =
          server.channel(
              Chains.client(
                  Auth.clientBuilder()
                      .bearerToken(
                          () -> {
                            int n = fetches.incrementAndGet();
                            Thread.sleep(300); // slow enough that every call waits on this fetch
                            return AccessToken.of(
                                n % 2 == 1 ? Chains.TOKEN_A : Chains.TOKEN_B,
                                clock.instant().plus(Duration.ofMinutes(10)));
                          })
                      .clock(clock)
                      .executor(fetchPool)
                      .allowPlaintextLoopback(true)
                      .build()));
      SimpleServiceGrpc.SimpleServiceStub stub = SimpleServiceGrpc.newStub(channel);

      assertThat(burst(stub, 1, "first")).containsOnly(Status.Code.OK);
      assertThat(fetches).hasValue(1);

      clock.advance(Duration.ofMinutes(11)); // expired: every call must wait for the new token
      int calls = Scale.of(300);
      assertThat(burst(stub, calls, "expired")).hasSize(calls).containsOnly(Status.Code.OK);
      assertThat(fetches).hasValue(2);
      assertThat(probe.observations)
          .filteredOn(o -> o.expected().startsWith("expired"))
          .hasSize(calls)
          .allSatisfy(o -> assertThat(o.mdcPrincipal()).isEqualTo("bob"));

      clock.advance(Duration.ofSeconds(9 * 60 + 30)); // within refresh-ahead
      assertThat(burst(stub, calls, "ahead")).hasSize(calls).containsOnly(Status.Code.OK);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (fetches.get() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(fetches).hasValue(3);
      // Refresh-ahead never makes a call wait: the call that starts the refresh (and any before the
      // new token arrives) still carries bob's token; later ones may carry alice's new one.
      assertThat(probe.observations)
          .filteredOn(o -> o.expected().startsWith("ahead"))
          .hasSize(calls)
          .allSatisfy(o -> assertThat(o.mdcPrincipal()).isIn("bob", "alice"))
          .anySatisfy(o -> assertThat(o.mdcPrincipal()).isEqualTo("bob"));
    } finally {
      fetchPool.shutdownNow();
    }
  }

  private static List<Status.Code> burst(
      SimpleServiceGrpc.SimpleServiceStub stub, int n, String tag) throws Exception {
    List<CompletableFuture<Rpc.Outcome>> outcomes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      outcomes.add(Rpc.start(stub, Rpc.Kind.UNARY, new Metadata(), tag + i, 1, 20_000));
    }
    List<Status.Code> codes = new ArrayList<>();
    for (CompletableFuture<Rpc.Outcome> outcome : outcomes) {
      codes.add(outcome.get(30, TimeUnit.SECONDS).status().getCode());
    }
    return codes;
  }
}
