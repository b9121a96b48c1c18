package io.github.grpcmiddleware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.rpc.RetryInfo;
import io.github.grpcmiddleware.auth.Auth;
import io.github.grpcmiddleware.auth.Authenticators;
import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.limits.LimitKey;
import io.github.grpcmiddleware.limits.Limits;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A greedy caller floods a per-principal concurrency limit with calls that complete, fail, pass
 * their deadline or are cancelled, while a modest caller keeps within its share: the greedy one is
 * rejected with RetryInfo, the modest one never is, and afterwards each principal can hold exactly
 * its limit in flight again (a leaked permit would admit fewer, a double release more).
 */
class LimitsLoadTest {
  private static final int PER_PRINCIPAL = 8;

  /** Answers as the request says; {@code hold} waits until released or cancelled. */
  static final class LoadService extends SimpleServiceGrpc.SimpleServiceImplBase {
    final AtomicInteger holding = new AtomicInteger();
    volatile CountDownLatch release = new CountDownLatch(1);

    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
      switch (request.getRequestMessage()) {
        case "work" -> LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(500));
        case "fail" -> throw new IllegalStateException("handler bug");
        case "hang" -> awaitCancel();
        case "hold" -> {
          holding.incrementAndGet();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        default -> {}
      }
      if (!Context.current().isCancelled()) {
        out.onNext(SimpleResponse.newBuilder().setResponseMessage("ok").build());
        out.onCompleted();
      }
    }

    private static void awaitCancel() {
      CountDownLatch cancelled = new CountDownLatch(1);
      Context.current().addListener(c -> cancelled.countDown(), Runnable::run);
      try {
        cancelled.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static ServerInterceptor chain() {
    return ServerChain.builder()
        .tracing(TraceIds.newServerInterceptor())
        .errorMapping(ErrorMapping.serverBuilder().build())
        .auth(
            Auth.serverBuilder().authenticator(Authenticators.bearerTokens(Chains.TOKENS)).build())
        .limits(
            Limits.serverBuilder()
                .concurrencyLimit(
                    "per-principal", MethodSelector.of("*"), LimitKey.principal(), PER_PRINCIPAL)
                .build())
        .build();
  }

  private static CompletableFuture<Status> call(
      SimpleServiceGrpc.SimpleServiceStub stub, String what) {
    CompletableFuture<Status> outcome = new CompletableFuture<>();
    stub.unaryRpc(
        SimpleRequest.newBuilder().setRequestMessage(what).build(),
        new StreamObserver<>() {
          @Override
          public void onNext(SimpleResponse value) {}

          @Override
          public void onError(Throwable t) {
            Status status = Status.fromThrowable(t);
            if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
              com.google.rpc.Status details = StatusProto.fromThrowable(t);
              boolean retryInfo =
                  details != null
                      && details.getDetailsList().stream().anyMatch(LimitsLoadTest::isRetry);
              if (!retryInfo) {
                status = Status.INTERNAL.withDescription("RESOURCE_EXHAUSTED without RetryInfo");
              }
            }
            outcome.complete(status);
          }

          @Override
          public void onCompleted() {
            outcome.complete(Status.OK);
          }
        });
    return outcome;
  }

  private static boolean isRetry(Any any) {
    return any.is(RetryInfo.class);
  }

  @Test
  void greedyCallerIsRejectedModestOneIsNotAndNoPermitLeaks() throws Exception {
    LoadService service = new LoadService();
    try (ChainServer server = ChainServer.start(PER_PRINCIPAL + 4, chain(), service)) {
      ManagedChannel alice = server.channel(Chains.client(Chains.TOKEN_A));
      ManagedChannel bob = server.channel(Chains.client(Chains.TOKEN_B));
      SimpleServiceGrpc.SimpleServiceStub aliceStub = SimpleServiceGrpc.newStub(alice);
      SimpleServiceGrpc.SimpleServiceStub bobStub = SimpleServiceGrpc.newStub(bob);

      Map<Status.Code, AtomicInteger> aliceCodes = new ConcurrentHashMap<>();
      Map<Status.Code, AtomicInteger> bobCodes = new ConcurrentHashMap<>();
      Semaphore aliceInFlight = new Semaphore(48);
      Semaphore bobInFlight = new Semaphore(PER_PRINCIPAL / 2);
      List<CompletableFuture<?>> all = new ArrayList<>();
      int calls = Scale.of(3000);
      for (int i = 0; i < calls; i++) {
        String what = new String[] {"work", "fail", "hang", "cancel"}[i % 4];
        aliceInFlight.acquire();
        SimpleServiceGrpc.SimpleServiceStub stub =
            what.equals("hang")
                ? aliceStub.withDeadlineAfter(20, TimeUnit.MILLISECONDS)
                : aliceStub;
        Context.CancellableContext cancellable = Context.current().withCancellation();
        CompletableFuture<Status> outcome =
            cancellable.call(() -> call(stub, what.equals("cancel") ? "hang" : what));
        if (what.equals("cancel")) {
          cancellable.cancel(null);
        }
        all.add(
            outcome.whenComplete(
                (status, t) -> {
                  cancellable.cancel(null);
                  count(aliceCodes, status);
                  aliceInFlight.release();
                }));
        if (i % 6 == 0) {
          bobInFlight.acquire();
          all.add(
              call(bobStub, "work")
                  .whenComplete(
                      (status, t) -> {
                        count(bobCodes, status);
                        bobInFlight.release();
                      }));
        }
      }
      CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);

      assertThat(aliceCodes.keySet())
          .containsOnly(
              Status.Code.OK,
              Status.Code.RESOURCE_EXHAUSTED,
              Status.Code.INTERNAL,
              Status.Code.DEADLINE_EXCEEDED,
              Status.Code.CANCELLED);
      assertThat(aliceCodes.get(Status.Code.RESOURCE_EXHAUSTED)).hasPositiveValue();
      assertThat(bobCodes.keySet()).containsOnly(Status.Code.OK);
      assertThat(bobCodes.get(Status.Code.OK)).hasValue(calls / 6 + (calls % 6 == 0 ? 0 : 1));

      assertExactlyTheLimitFits(service, aliceStub);
      assertExactlyTheLimitFits(service, bobStub);
    }
  }

  /** With nothing else in flight, exactly PER_PRINCIPAL calls are admitted at once. */
  private static void assertExactlyTheLimitFits(
      LoadService service, SimpleServiceGrpc.SimpleServiceStub stub) throws Exception {
    // Permits of calls that just ended come back when grpc-java reports their end: retry the probe
    // until the limit is free again, bounded by a deadline, never by a fixed sleep.
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      service.holding.set(0);
      service.release = new CountDownLatch(1);
      List<CompletableFuture<Status>> held = new ArrayList<>();
      for (int i = 0; i < PER_PRINCIPAL; i++) {
        held.add(call(stub, "hold"));
      }
      long wait = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (service.holding.get() < PER_PRINCIPAL
          && held.stream().noneMatch(CompletableFuture::isDone)
          && System.nanoTime() < wait) {
        Thread.onSpinWait();
      }
      boolean allAdmitted = service.holding.get() == PER_PRINCIPAL;
      Status extra = allAdmitted ? call(stub, "work").get(10, TimeUnit.SECONDS) : null;
      service.release.countDown();
      Map<Status.Code, Integer> codes = new EnumMap<>(Status.Code.class);
      for (CompletableFuture<Status> f : held) {
        codes.merge(f.get(10, TimeUnit.SECONDS).getCode(), 1, Integer::sum);
      }
      if (allAdmitted) {
        assertThat(codes).containsExactly(Map.entry(Status.Code.OK, PER_PRINCIPAL));
        assertThat(extra.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        return;
      }
      assertThat(System.nanoTime()).as("the limit never became free again").isLessThan(giveUp);
    }
  }

  private static void count(Map<Status.Code, AtomicInteger> codes, Status status) {
    codes.computeIfAbsent(status.getCode(), c -> new AtomicInteger()).incrementAndGet();
  }
}
