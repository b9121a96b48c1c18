package io.github.grpcmiddleware.limits;

import static io.github.grpcmiddleware.limits.Harness.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.ErrorInfo;
import com.google.rpc.QuotaFailure;
import com.google.rpc.RetryInfo;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.testsupport.RawBytes;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConcurrencyLimitTest {
  private static final MethodSelector ALL = MethodSelector.of("*");
  private static final int MAX = 3;

  private final ControlledService service = new ControlledService();
  private final CountingLimiters counting = new CountingLimiters(MAX);

  private ServerInterceptor limits() {
    return Limits.serverBuilder()
        .limit("inflight", LimitType.CONCURRENCY, ALL, LimitKey.global(), counting)
        .build();
  }

  /** Starts {@code count} blocking unary calls; returns their outcomes (null when OK). */
  private static List<CompletableFuture<Status>> startBlocked(
      SimpleServiceGrpc.SimpleServiceStub stub, int count) {
    List<CompletableFuture<Status>> outcomes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      CompletableFuture<Status> outcome = new CompletableFuture<>();
      stub.unaryRpc(request("block"), observer(outcome));
      outcomes.add(outcome);
    }
    return outcomes;
  }

  /** An observer that completes {@code outcome} with the call's status. */
  static StreamObserver<SimpleResponse> observer(CompletableFuture<Status> outcome) {
    return new StreamObserver<>() {
      @Override
      public void onNext(SimpleResponse value) {}

      @Override
      public void onError(Throwable t) {
        outcome.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        outcome.complete(Status.OK);
      }
    };
  }

  @Test
  void callBeyondTheLimitIsRejectedWithRetryInfoAndQuotaFailure() throws Exception {
    try (Harness h = Harness.inProcess(service, limits())) {
      List<CompletableFuture<Status>> blocked = startBlocked(h.async(), MAX);
      service.awaitBlocked(MAX);

      assertThatThrownBy(() -> h.blocking().unaryRpc(request("ok")))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                assertThat(e.getStatus().getDescription())
                    .isEqualTo("Too many requests are in progress. Please retry later.");
                RetryInfo retry = Details.detail(e, RetryInfo.class);
                assertThat(
                        retry.getRetryDelay().getSeconds() * 1_000_000_000L
                            + retry.getRetryDelay().getNanos())
                    .isEqualTo(ConcurrencyLimiter.FIRST_RETRY_NANOS);
                QuotaFailure quota = Details.detail(e, QuotaFailure.class);
                assertThat(quota.getViolations(0).getSubject()).isEqualTo("global");
                assertThat(quota.getViolations(0).getDescription()).startsWith("inflight:");
                ErrorInfo info = Details.detail(e, ErrorInfo.class);
                assertThat(info.getReason()).isEqualTo("CONCURRENCY_LIMIT_EXCEEDED");
                assertThat(info.getMetadataMap()).containsEntry("limit", "inflight");
              });
      assertThat(service.handled).hasValue(MAX);

      service.open();
      for (CompletableFuture<Status> outcome : blocked) {
        assertThat(outcome.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
      }
      assertThat(counting.awaitReleased(MAX)).isEqualTo(MAX);
      assertThat(h.blocking().unaryRpc(request("ok")).getResponseMessage()).isEqualTo("ok");
      // The permit comes back when grpc-java reports the end, just after the client saw it.
      assertThat(counting.awaitReleased(MAX + 1)).isEqualTo(MAX + 1);
    }
    assertThat(counting.inFlight()).isZero();
    assertThat(counting.doubleReleases).hasValue(0);
  }

  @Test
  void permitsComeBackWhenTheClientCancels() throws Exception {
    try (Harness h = Harness.inProcess(service, limits())) {
      List<ClientCall<SimpleRequest, SimpleResponse>> calls = new ArrayList<>();
      for (int i = 0; i < MAX; i++) {
        ClientCall<SimpleRequest, SimpleResponse> call =
            h.channel.newCall(SimpleServiceGrpc.getUnaryRpcMethod(), io.grpc.CallOptions.DEFAULT);
        ClientCalls.asyncUnaryCall(call, request("block"), observer(new CompletableFuture<>()));
        calls.add(call);
      }
      service.awaitBlocked(MAX);
      for (ClientCall<SimpleRequest, SimpleResponse> call : calls) {
        call.cancel("test cancels", null);
      }
      assertThat(counting.awaitReleased(MAX)).isEqualTo(MAX);
      assertThat(h.blocking().unaryRpc(request("ok")).getResponseMessage()).isEqualTo("ok");
      // The permit comes back when grpc-java reports the end, just after the client saw it.
      assertThat(counting.awaitReleased(MAX + 1)).isEqualTo(MAX + 1);
    }
    assertThat(counting.inFlight()).isZero();
    assertThat(counting.doubleReleases).hasValue(0);
  }

  @Test
  void permitsComeBackWhenTheDeadlinePasses() throws Exception {
    try (Harness h = Harness.inProcess(service, limits())) {
      List<CompletableFuture<Status>> outcomes =
          startBlocked(h.async().withDeadlineAfter(200, TimeUnit.MILLISECONDS), MAX);
      for (CompletableFuture<Status> outcome : outcomes) {
        assertThat(outcome.get(10, TimeUnit.SECONDS).getCode())
            .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      }
      assertThat(counting.awaitReleased(MAX)).isEqualTo(MAX);
    }
    assertThat(counting.inFlight()).isZero();
    assertThat(counting.doubleReleases).hasValue(0);
  }

  @Test
  void permitsComeBackWhenTheHandlerThrows() throws Exception {
    // Without error mapping grpc-java closes the call itself (UNKNOWN); with it, the mapping does.
    ServerInterceptor mapped = ErrorMapping.serverBuilder().build();
    for (boolean withMapping : new boolean[] {false, true}) {
      ServerInterceptor limits = limits();
      ServerInterceptor chain = withMapping ? new Nested(mapped, limits) : limits;
      try (Harness h = Harness.inProcess(service, chain)) {
        for (int i = 0; i < 20; i++) {
          assertThatThrownBy(() -> h.blocking().unaryRpc(request("throw")))
              .isInstanceOfSatisfying(
                  StatusRuntimeException.class,
                  e ->
                      assertThat(e.getStatus().getCode())
                          .isIn(Status.Code.UNKNOWN, Status.Code.INTERNAL));
          int expected = (withMapping ? 20 : 0) + i + 1;
          assertThat(counting.awaitReleased(expected)).isEqualTo(expected);
        }
      }
    }
    assertThat(counting.awaitReleased(40)).isEqualTo(40);
    assertThat(counting.inFlight()).isZero();
    assertThat(counting.doubleReleases).hasValue(0);
  }

  @Test
  void permitsComeBackWhenGrpcClosesAnUndecodableRequestItself() throws Exception {
    MethodDescriptor<byte[], byte[]> raw =
        SimpleServiceGrpc.getUnaryRpcMethod().toBuilder(new RawBytes(), new RawBytes()).build();
    try (Harness h = Harness.netty(service, limits())) {
      for (int i = 0; i < 10; i++) {
        // Field 1, length 100, but no bytes follow: protobuf cannot parse it.
        byte[] garbage = {0x0a, 0x64};
        assertThatThrownBy(
                () ->
                    ClientCalls.blockingUnaryCall(
                        h.channel, raw, io.grpc.CallOptions.DEFAULT, garbage))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e ->
                    assertThat(e.getStatus().getCode())
                        .isIn(Status.Code.UNKNOWN, Status.Code.INTERNAL));
      }
      assertThat(counting.awaitReleased(10)).isEqualTo(10);
      assertThat(service.handled).hasValue(0);
    }
    assertThat(counting.inFlight()).isZero();
    assertThat(counting.doubleReleases).hasValue(0);
  }

  @Test
  void permitsComeBackWhenTheConnectionDrops() throws Exception {
    try (Harness h = Harness.netty(service, limits())) {
      ManagedChannel doomed = Harness.nettyChannel(h.server);
      List<CompletableFuture<Status>> outcomes =
          startBlocked(SimpleServiceGrpc.newStub(doomed), MAX);
      service.awaitBlocked(MAX);
      doomed.shutdownNow();
      for (CompletableFuture<Status> outcome : outcomes) {
        assertThat(outcome.get(10, TimeUnit.SECONDS).getCode()).isNotEqualTo(Status.Code.OK);
      }
      assertThat(counting.awaitReleased(MAX)).isEqualTo(MAX);
      assertThat(h.blocking().unaryRpc(request("ok")).getResponseMessage()).isEqualTo("ok");
      // The permit comes back when grpc-java reports the end, just after the client saw it.
      assertThat(counting.awaitReleased(MAX + 1)).isEqualTo(MAX + 1);
    }
    assertThat(counting.inFlight()).isZero();
    assertThat(counting.doubleReleases).hasValue(0);
  }

  @Test
  void permitsComeBackAfterStreamingCalls() throws Exception {
    try (Harness h = Harness.inProcess(service, limits())) {
      for (int i = 0; i < 10; i++) {
        CompletableFuture<Status> outcome = new CompletableFuture<>();
        StreamObserver<SimpleRequest> requests = h.async().bidiStreamingRpc(observer(outcome));
        requests.onNext(request("hello"));
        if (i % 2 == 0) {
          requests.onCompleted();
          assertThat(outcome.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
        } else {
          requests.onError(new RuntimeException("client gives up"));
          assertThat(outcome.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.CANCELLED);
        }
      }
      assertThat(counting.awaitReleased(10)).isEqualTo(10);
    }
    assertThat(counting.doubleReleases).hasValue(0);
  }

  @Test
  void retryDelayFollowsHowLongPermitsWereHeld() {
    long[] now = {0};
    ConcurrencyLimiter limiter = new ConcurrencyLimiter(2, () -> now[0]);
    Permit first = limiter.tryAcquire();
    Permit second = limiter.tryAcquire();
    assertThat(limiter.tryAcquire().retryAfterNanos())
        .isEqualTo(ConcurrencyLimiter.FIRST_RETRY_NANOS);
    now[0] += TimeUnit.MILLISECONDS.toNanos(400);
    first.release();
    first.release();
    assertThat(limiter.inFlight()).isEqualTo(1);
    Permit third = limiter.tryAcquire();
    assertThat(third.isGranted()).isTrue();
    // Two held, the one that came back was held 400 ms: one slot frees about every 200 ms.
    assertThat(limiter.tryAcquire().retryAfterNanos())
        .isEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
    second.release();
    third.release();
    assertThat(limiter.inFlight()).isZero();
  }

  /** Error mapping around the limits part, as ServerChain would order them. */
  private static final class Nested implements ServerInterceptor {
    private final ServerInterceptor outer;
    private final ServerInterceptor inner;

    Nested(ServerInterceptor outer, ServerInterceptor inner) {
      this.outer = outer;
      this.inner = inner;
    }

    @Override
    public <ReqT, RespT> io.grpc.ServerCall.Listener<ReqT> interceptCall(
        io.grpc.ServerCall<ReqT, RespT> call,
        Metadata headers,
        io.grpc.ServerCallHandler<ReqT, RespT> next) {
      return outer.interceptCall(call, headers, (c, h) -> inner.interceptCall(c, h, next));
    }
  }
}
