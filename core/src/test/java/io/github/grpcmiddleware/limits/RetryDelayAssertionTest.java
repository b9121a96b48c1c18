package io.github.grpcmiddleware.limits;

import static io.github.grpcmiddleware.limits.Harness.request;
import static io.github.grpcmiddleware.testing.GrpcAssertions.assertThatCall;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.testing.StatusAssert;
import io.grpc.Status;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What a user of the testing module asserts about a real rate limit (issue 29): on the real clock
 * the delay until the next token depends on when the call arrived, so an exact delay cannot be
 * asserted, and a range can.
 */
class RetryDelayAssertionTest {
  private static final Duration PERIOD = Duration.ofSeconds(10);

  @Test
  void aTokenBucketOnTheRealClockIsAssertedWithARange() throws Exception {
    try (Harness h =
        Harness.inProcess(
            new ControlledService(),
            Limits.serverBuilder()
                .rateLimit("one", MethodSelector.of("*"), LimitKey.method(), 1, PERIOD)
                .build())) {
      SimpleServiceGrpc.SimpleServiceBlockingStub stub = h.blocking();
      stub.unaryRpc(request("ok"));

      StatusAssert refused =
          assertThatCall(() -> stub.unaryRpc(request("ok")))
              .failsWith(Status.Code.RESOURCE_EXHAUSTED)
              .withRetryDelayBetween(Duration.ZERO, PERIOD);

      // Time passed between taking the token and the refusal: the delay is not exactly PERIOD.
      assertThatThrownBy(() -> refused.withRetryDelay(PERIOD))
          .hasMessageStartingWith("Expected a RetryInfo with retry delay PT10S");
    }
  }
}
