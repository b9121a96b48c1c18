package io.github.grpcmiddleware.limits;

import static io.github.grpcmiddleware.limits.Harness.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The same limits part installed twice (twice in a row, or server-wide and in a per-service chain)
 * takes one permit, one token and one timer per call, as DESIGN.md's "installed twice is the same
 * as installed once" asks.
 */
class LimitsInstalledTwiceTest {
  private static final MethodSelector ALL = MethodSelector.of("*");
  private final ControlledService service = new ControlledService();
  private final CountingTimer timer = new CountingTimer();

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  @Test
  void aConcurrencyLimitCountsEachCallOnce() throws Exception {
    CountingLimiters counting = new CountingLimiters(2);
    ServerInterceptor limits =
        Limits.serverBuilder()
            .limit("inflight", LimitType.CONCURRENCY, ALL, LimitKey.global(), counting)
            .build();
    try (Harness h = Harness.inProcess(ServerInterceptors.intercept(service, limits, limits))) {
      h.async()
          .unaryRpc(request("block"), ConcurrencyLimitTest.observer(new CompletableFuture<>()));
      h.async()
          .unaryRpc(request("block"), ConcurrencyLimitTest.observer(new CompletableFuture<>()));
      service.awaitBlocked(2);
      assertThat(counting.inFlight()).isEqualTo(2);
      assertThatThrownBy(() -> h.blocking().unaryRpc(request("ok")))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));

      service.open();
      assertThat(counting.awaitReleased(2)).isEqualTo(2);
      assertThat(counting.inFlight()).isZero();
      assertThat(counting.doubleReleases).hasValue(0);
    }
  }

  @Test
  void aRateLimitTakesOneTokenPerCallInAChainAndServerWide() throws Exception {
    AtomicLong clock = new AtomicLong(42);
    ServerInterceptor limits =
        Limits.serverBuilder()
            .ticker(clock::get)
            .rateLimit("two-per-hour", ALL, LimitKey.method(), 2, Duration.ofHours(1))
            .build();
    ServerInterceptor chain = ServerChain.builder().limits(limits).build();
    // limits runs first (server-wide, outermost), then the per-service chain with the same part.
    try (Harness h = Harness.inProcess(ServerInterceptors.intercept(service, chain, limits))) {
      assertThat(h.blocking().unaryRpc(request("ok")).getResponseMessage()).isEqualTo("ok");
      assertThat(h.blocking().unaryRpc(request("ok")).getResponseMessage()).isEqualTo("ok");
      assertThatThrownBy(() -> h.blocking().unaryRpc(request("ok")))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
      assertThat(service.handled).hasValue(2);
    }
  }

  /** Answers the handler's trace id and remaining deadline in ms. */
  static final class TraceAndDeadline extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
      String text = TraceIds.current() + " " + ControlledService.remaining();
      responses.onNext(SimpleResponse.newBuilder().setResponseMessage(text).build());
      responses.onCompleted();
    }
  }

  @Test
  void aCappedCallAloneKeepsWhatInnerPartsPutInTheContext() throws Exception {
    ServerInterceptor limits =
        Limits.serverBuilder().deadlineCap(ALL, Duration.ofSeconds(10)).build();
    // limits alone, outermost; core's trace part inside it.
    try (Harness h =
        Harness.inProcess(
            ServerInterceptors.intercept(
                new TraceAndDeadline(), TraceIds.newServerInterceptor(), limits))) {
      String[] seen = h.blocking().unaryRpc(request("ok")).getResponseMessage().split(" ");
      assertThat(seen[0]).matches("[0-9a-f]{32}");
      assertThat(Long.parseLong(seen[1])).isPositive().isLessThanOrEqualTo(10_000);
    }
  }
}
