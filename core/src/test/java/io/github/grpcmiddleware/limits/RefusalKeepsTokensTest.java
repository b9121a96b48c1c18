package io.github.grpcmiddleware.limits;

import static io.github.grpcmiddleware.limits.Harness.request;
import static io.github.grpcmiddleware.testing.GrpcAssertions.assertThatCall;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What docs/limits.md says is kept when a limit refuses (issue 29): a concurrency slot taken by an
 * earlier limit goes back, a rate limit's token does not. So a rate limit added before a
 * concurrency limit spends a token on every call the concurrency limit refuses, and one added after
 * it spends none.
 */
class RefusalKeepsTokensTest {
  private static final MethodSelector ALL = MethodSelector.of("*");
  private final ControlledService service = new ControlledService();

  private static LimitsServerBuilder rate(LimitsServerBuilder limits) {
    return limits.rateLimit("rate", ALL, LimitKey.global(), 2, Duration.ofMinutes(10));
  }

  private static LimitsServerBuilder concurrency(LimitsServerBuilder limits) {
    return limits.concurrencyLimit("inflight", ALL, LimitKey.global(), 1);
  }

  /** One call holds the only slot while another is refused; then the first one completes. */
  private void refuseOneWhileTheSlotIsHeld(Harness h) throws Exception {
    CompletableFuture<Status> held = new CompletableFuture<>();
    h.async().unaryRpc(request("block"), ConcurrencyLimitTest.observer(held));
    service.awaitBlocked(1);
    assertThatCall(() -> h.blocking().unaryRpc(request("ok")))
        .failsWith(Status.Code.RESOURCE_EXHAUSTED)
        .withErrorInfoMetadata("limit", "inflight");
    service.open();
    assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo(Status.OK);
  }

  /** The next call, once the slot is free again (its release may trail the client's OK). */
  private static String nextCall(Harness h) throws Exception {
    for (int attempt = 0; attempt < 100; attempt++) {
      try {
        return h.blocking().unaryRpc(request("ok")).getResponseMessage();
      } catch (StatusRuntimeException e) {
        if (!String.valueOf(e.getStatus().getDescription()).contains("in progress")) {
          return "refused: " + e.getStatus().getDescription();
        }
        Thread.sleep(20);
      }
    }
    throw new AssertionError("the slot never came back");
  }

  @Test
  void aRateLimitBeforeAConcurrencyLimitSpendsATokenOnEveryRefusedCall() throws Exception {
    try (Harness h =
        Harness.inProcess(service, concurrency(rate(Limits.serverBuilder())).build())) {
      refuseOneWhileTheSlotIsHeld(h);

      assertThat(nextCall(h)).isEqualTo("refused: Too many requests. Please retry later.");
      assertThat(service.handled).hasValue(1); // 2 tokens, 1 call served
    }
  }

  @Test
  void aRateLimitAfterAConcurrencyLimitSpendsNoTokenOnACallThatLimitRefuses() throws Exception {
    try (Harness h =
        Harness.inProcess(service, rate(concurrency(Limits.serverBuilder())).build())) {
      refuseOneWhileTheSlotIsHeld(h);

      assertThat(nextCall(h)).isEqualTo("ok");
      assertThat(service.handled).hasValue(2);
    }
  }
}
