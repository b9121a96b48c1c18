package io.github.grpcmiddleware.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

/** A cap whose timer cannot start fails the call and gives back the permits it took. */
class CapTimerFailureTest {

  private static final MethodSelector ALL = MethodSelector.of("*");

  @Test
  void aTimerThatRejectsFailsTheCallAndReleasesItsPermits() throws Exception {
    ScheduledExecutorService shutDown = Executors.newSingleThreadScheduledExecutor();
    shutDown.shutdown(); // it rejects every task, as a scheduler stopped before the server does
    ControlledService service = new ControlledService();
    service.open();
    try (Harness harness =
        Harness.inProcess(
            service,
            Limits.serverBuilder()
                .deadlineCap(ALL, Duration.ofSeconds(10))
                .scheduler(shutDown)
                .concurrencyLimit("one", ALL, LimitKey.global(), 1)
                .build())) {
      SimpleServiceGrpc.SimpleServiceBlockingStub stub =
          SimpleServiceGrpc.newBlockingStub(harness.channel);
      // Three calls in turn: each fails on the timer, none on the limit (a leaked permit would
      // answer the second one RESOURCE_EXHAUSTED).
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> stub.unaryRpc(SimpleRequest.getDefaultInstance()))
            .isInstanceOf(StatusRuntimeException.class)
            .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
            .isEqualTo(Status.Code.UNKNOWN);
      }
      assertThat(service.handled).hasValue(0);
    }
  }
}
