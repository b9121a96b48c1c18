package io.github.grpcmiddleware.limits;

import static io.github.grpcmiddleware.limits.Harness.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeadlineCapTest {
  private static final MethodSelector ALL = MethodSelector.of("*");
  private static final Duration CAP_SHORT = Duration.ofMillis(150);
  private final CountingTimer timer = new CountingTimer();

  /** A cap of {@link #CAP_SHORT} on every method, on the default timer, and its lane. */
  private final LimitsServerInterceptor shortCap =
      (LimitsServerInterceptor) Limits.serverBuilder().deadlineCap(ALL, CAP_SHORT).build();

  private final CapTimer.Lane shortLane = (CapTimer.Lane) shortCap.capTimer(0);

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  private ServerInterceptor capOf(Duration cap) {
    return Limits.serverBuilder().deadlineCap(ALL, cap).scheduler(timer).build();
  }

  private static long remaining(SimpleServiceGrpc.SimpleServiceBlockingStub stub) {
    String text = stub.unaryRpc(request("deadline")).getResponseMessage();
    assertThat(text).isNotEqualTo("none");
    return Long.parseLong(text);
  }

  @Test
  void callWithoutDeadlineGetsTheCap() throws Exception {
    try (Harness h = Harness.inProcess(new ControlledService(), capOf(Duration.ofSeconds(10)))) {
      assertThat(remaining(h.blocking())).isPositive().isLessThanOrEqualTo(10_000);
    }
  }

  @Test
  void withoutCapTheHandlerSeesNoDeadline() throws Exception {
    ServerInterceptor none = Limits.serverBuilder().build();
    try (Harness h = Harness.inProcess(new ControlledService(), none)) {
      assertThat(h.blocking().unaryRpc(request("deadline")).getResponseMessage()).isEqualTo("none");
    }
  }

  @Test
  void longerDeadlineIsCapped() throws Exception {
    try (Harness h = Harness.inProcess(new ControlledService(), capOf(Duration.ofSeconds(10)))) {
      long seen = remaining(h.blocking().withDeadlineAfter(1, TimeUnit.HOURS));
      assertThat(seen).isPositive().isLessThanOrEqualTo(10_000);
    }
  }

  @Test
  void shorterDeadlineIsKept() throws Exception {
    try (Harness h = Harness.inProcess(new ControlledService(), capOf(Duration.ofHours(1)))) {
      long seen = remaining(h.blocking().withDeadlineAfter(30, TimeUnit.SECONDS));
      assertThat(seen).isPositive().isLessThanOrEqualTo(30_000);
    }
  }

  @Test
  void capAppliesOnlyToTheSelectedMethods() throws Exception {
    ServerInterceptor capped =
        Limits.serverBuilder()
            .deadlineCap(MethodSelector.of("other.Service/*"), Duration.ofSeconds(1))
            .build();
    try (Harness h = Harness.inProcess(new ControlledService(), capped)) {
      assertThat(h.blocking().unaryRpc(request("deadline")).getResponseMessage()).isEqualTo("none");
    }
  }

  @Test
  void downstreamCallFromTheHandlerSeesTheCap() throws Exception {
    ServerInterceptor none = Limits.serverBuilder().build();
    try (Harness downstream = Harness.inProcess(new ControlledService(), none)) {
      ControlledService front = new ControlledService();
      front.downstream = downstream.channel;
      try (Harness h = Harness.inProcess(front, capOf(Duration.ofSeconds(5)))) {
        String seen = h.blocking().unaryRpc(request("downstream")).getResponseMessage();
        assertThat(seen).isNotEqualTo("none");
        assertThat(Long.parseLong(seen)).isPositive().isLessThanOrEqualTo(5_000);
      }
    }
  }

  @Test
  void capPassingClosesTheCallAndCancelsTheHandlersContext() throws Exception {
    ControlledService service = new ControlledService();
    try (Harness h = Harness.inProcess(service, capOf(Duration.ofMillis(200)))) {
      assertThatThrownBy(() -> h.blocking().unaryRpc(request("block")))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
                assertThat(e.getStatus().getDescription()).contains("200 ms");
              });
      assertThat(service.contextCancelled.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(service.cancelledContexts).hasValue(1);
    }
  }

  @Test
  void theDefaultTimerExpiresEachCapInTimeWhateverTheOtherCapsHold() throws Exception {
    ControlledService service = new ControlledService();
    // Two caps, two lanes of the JVM's timer: calls of the long cap start first and stay in
    // flight, and must not hold up the short cap's calls behind them.
    ServerInterceptor limits =
        Limits.serverBuilder()
            .deadlineCap(MethodSelector.of("grpc.testing.SimpleService/UnaryRpc"), CAP_SHORT)
            .deadlineCap(ALL, Duration.ofHours(1))
            .build();
    try (Harness h = Harness.inProcess(service, limits)) {
      io.grpc.stub.StreamObserver<io.grpc.testing.protobuf.SimpleRequest> longCall =
          h.async().bidiStreamingRpc(ConcurrencyLimitTest.observer(new CompletableFuture<>()));
      longCall.onNext(request("block"));
      service.awaitBlocked(1);
      for (int round = 0; round < 2; round++) {
        // The second round finds the timer's thread asleep with nothing due: it is woken again.
        assertThatThrownBy(() -> h.blocking().unaryRpc(request("block")))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
      }
      assertThat(service.contextCancelled.await(10, TimeUnit.SECONDS)).isTrue();
      longCall.onCompleted();
    }
  }

  @Test
  void theDefaultTimerLetsCallsThatEndEarlyGo() throws Exception {
    ControlledService service = new ControlledService();
    try (Harness h = Harness.inProcess(service, shortCap)) {
      for (int i = 0; i < 20; i++) {
        assertThat(h.blocking().unaryRpc(request("ok")).getResponseMessage()).isEqualTo("ok");
      }
      // Each call leaves the lane when it ends (on the server, just after the client has its
      // answer).
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (shortLane.size() > 0 && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(5);
      }
      assertThat(shortLane.size()).isZero();
      assertThatThrownBy(() -> h.blocking().unaryRpc(request("block")))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getDescription()).contains("150 ms"));
      assertThat(service.contextCancelled.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(service.cancelledContexts).hasValue(1);
      assertThat(shortLane.size()).isZero();
    }
  }

  @Test
  void theDefaultTimerExpiresEveryCallInFlight() throws Exception {
    ControlledService service = new ControlledService();
    int calls = 40;
    try (Harness h = Harness.inProcess(service, shortCap)) {
      java.util.List<CompletableFuture<Status>> outcomes = new java.util.ArrayList<>();
      for (int i = 0; i < calls; i++) {
        CompletableFuture<Status> outcome = new CompletableFuture<>();
        h.async().unaryRpc(request("block"), ConcurrencyLimitTest.observer(outcome));
        outcomes.add(outcome);
      }
      for (CompletableFuture<Status> outcome : outcomes) {
        assertThat(outcome.get(10, TimeUnit.SECONDS).getCode())
            .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      }
      assertThat(shortLane.size()).isZero();
    }
  }

  @Test
  void callsThatEndBeforeTheCapLeaveNoTimerBehind() throws Exception {
    try (Harness h = Harness.inProcess(new ControlledService(), capOf(Duration.ofHours(1)))) {
      for (int i = 0; i < 50; i++) {
        assertThat(h.blocking().unaryRpc(request("ok")).getResponseMessage()).isEqualTo("ok");
      }
    }
    // Every capped Context is cancelled when its call ends (on the server, just after the client
    // has its answer), which removes its timer.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!timer.getQueue().isEmpty() && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(5);
    }
    assertThat(timer.getQueue()).isEmpty();
    assertThat(timer.scheduled).hasValue(50);
  }

  @Test
  void callWithoutDeadlineIsRejectedWhereOneIsRequired() throws Exception {
    ControlledService service = new ControlledService();
    ServerInterceptor limits =
        Limits.serverBuilder().requireDeadline(MethodSelector.of("grpc.testing.*")).build();
    try (Harness h = Harness.inProcess(service, limits)) {
      assertThatThrownBy(() -> h.blocking().unaryRpc(request("ok")))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                assertThat(e.getStatus().getDescription())
                    .isEqualTo("This method requires a deadline. Set one on the call.");
                ErrorInfo info = Details.detail(e, ErrorInfo.class);
                assertThat(info.getReason()).isEqualTo("DEADLINE_REQUIRED");
                assertThat(info.getMetadataMap())
                    .containsEntry("method", "grpc.testing.SimpleService/UnaryRpc");
                assertThat(Details.types(e)).doesNotContain(RetryInfo.class.getSimpleName());
              });
      assertThat(service.handled).hasValue(0);

      String answer =
          h.blocking()
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .unaryRpc(request("ok"))
              .getResponseMessage();
      assertThat(answer).isEqualTo("ok");
      assertThat(service.handled).hasValue(1);
    }
  }

  @Test
  @SuppressWarnings("NullAway") // a null where the builder must reject it
  void builderRejectsBadSettings() {
    LimitsServerBuilder builder = Limits.serverBuilder();
    assertThatThrownBy(() -> builder.deadlineCap(ALL, Duration.ZERO))
        .hasMessage("cap: PT0S (expected: > 0)");
    assertThatThrownBy(() -> builder.deadlineCap(null, Duration.ofSeconds(1)))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("methods");
    assertThatThrownBy(() -> builder.maxKeys(0).build()).hasMessage("maxKeys: 0 (expected: >= 1)");
    assertThatThrownBy(
            () ->
                Limits.serverBuilder()
                    .rateLimit("a", ALL, LimitKey.global(), 1, Duration.ofSeconds(1))
                    .concurrencyLimit("a", ALL, LimitKey.global(), 1)
                    .build())
        .hasMessage("name: \"a\" (expected: unique; used by two limits)");
    assertThatThrownBy(
            () -> Limits.serverBuilder().concurrencyLimit("c", ALL, LimitKey.global(), 0))
        .hasMessage("maxInFlight: 0 (expected: >= 1)");
    assertThatThrownBy(
            () ->
                Limits.serverBuilder()
                    .rateLimit("r", ALL, LimitKey.global(), 0, Duration.ofSeconds(1)))
        .hasMessage("permits: 0 (expected: >= 1)");
  }
}
