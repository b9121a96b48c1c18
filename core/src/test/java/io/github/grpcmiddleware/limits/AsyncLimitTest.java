package io.github.grpcmiddleware.limits;

import static io.github.grpcmiddleware.testsupport.Rpcs.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.QuotaFailure;
import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.testsupport.CallThreads;
import io.github.grpcmiddleware.testsupport.NettyChainServer;
import io.github.grpcmiddleware.testsupport.RecordingService;
import io.github.grpcmiddleware.testsupport.Responses;
import io.grpc.Metadata;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Asynchronous limits in the limits part, on a Netty server on 127.0.0.1 with the chain installed
 * as users install it, against limiters that answer later on a thread of their own ({@code
 * store-io}, as a Redis client's I/O thread): limits run in the order configured, the service never
 * runs on the store's thread, a rejection that comes later closes the call with the limit's status
 * and delivers nothing, and every permit goes back exactly once, also when the call ends while it
 * waits.
 */
@SuppressWarnings("NullAway.Init") // server and channel: set by each test's start
class AsyncLimitTest {
  private static final MethodSelector ALL = MethodSelector.of("*");

  private final CallThreads callThreads = new CallThreads("store-io");
  private final RecordingService service = new RecordingService();
  private final List<String> threads = new CopyOnWriteArrayList<>();
  private final List<String> asked = new CopyOnWriteArrayList<>();
  private NettyChainServer server;

  @AfterEach
  void stop() throws InterruptedException {
    server.close();
    callThreads.close();
  }

  /** A store that answers {@code permit} {@code delayMillis} later on the store's thread. */
  private AsyncLimiterFactory store(String name, long delayMillis, Supplier<Permit> permit) {
    return key ->
        () -> {
          asked.add(name);
          CompletableFuture<Permit> answer = new CompletableFuture<>();
          callThreads.foreign.schedule(
              () -> answer.complete(permit.get()), delayMillis, TimeUnit.MILLISECONDS);
          return answer;
        };
  }

  /** A synchronous limit that grants permits it counts back. */
  private LimiterFactory counting(String name, AtomicInteger held) {
    return key ->
        () -> {
          asked.add(name);
          held.incrementAndGet();
          return Permit.granted(held::decrementAndGet);
        };
  }

  private void start(LimitsServerBuilder limits) throws Exception {
    ServerInterceptor chain =
        ServerChain.builder()
            .errorMapping(ErrorMapping.serverBuilder().build())
            .limits(limits.callExecutor(callThreads.call).build())
            .build();
    server = NettyChainServer.start(chain, service, callThreads.server);
    service.onStart = () -> threads.add(Thread.currentThread().getName());
  }

  private SimpleServiceGrpc.SimpleServiceStub stub() {
    return SimpleServiceGrpc.newStub(server.channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static Responses bidi(SimpleServiceGrpc.SimpleServiceStub stub, String... texts) {
    Responses responses = new Responses();
    Responses.send(stub.bidiStreamingRpc(responses), texts);
    return responses;
  }

  /** Waits until every permit went back (the call's end runs after the client saw it). */
  private static void awaitZero(AtomicInteger held) throws InterruptedException {
    for (int i = 0; i < 500 && held.get() != 0; i++) {
      Thread.sleep(10);
    }
    assertThat(held).as("permits held").hasValue(0);
  }

  @Test
  void limitsRunInOrderAndTheServiceGoesOnOnTheCallExecutorWithEveryMessage() throws Exception {
    AtomicInteger held = new AtomicInteger();
    AtomicInteger released = new AtomicInteger();
    start(
        Limits.serverBuilder()
            .limit("first", LimitType.CONCURRENCY, ALL, LimitKey.global(), counting("first", held))
            .asyncLimit(
                "shared",
                LimitType.CONCURRENCY,
                ALL,
                LimitKey.global(),
                store("shared", 50, () -> Permit.granted(released::incrementAndGet)))
            .limit("last", LimitType.CONCURRENCY, ALL, LimitKey.global(), counting("last", held)));
    Responses responses = bidi(stub(), "m1", "m2", "m3");

    assertThat(responses.await().getCode()).isEqualTo(Status.Code.OK);
    assertThat(responses.texts).containsExactly("m1", "m2", "m3");
    assertThat(service.received).containsExactly("m1", "m2", "m3");
    assertThat(asked).containsExactly("first", "shared", "last");
    assertThat(threads).containsExactly("call-executor");
    awaitZero(held);
    assertThat(released).hasValue(1);
  }

  @Test
  void aRejectionThatComesLaterClosesTheCallDeliversNothingAndGivesBackWhatWasTaken()
      throws Exception {
    AtomicInteger held = new AtomicInteger();
    start(
        Limits.serverBuilder()
            .limit("first", LimitType.CONCURRENCY, ALL, LimitKey.global(), counting("first", held))
            .asyncLimit(
                "shared",
                LimitType.RATE,
                ALL,
                LimitKey.principal(),
                store("shared", 50, () -> Permit.rejected(Duration.ofMillis(1500))),
                AsyncLimitOptions.builder().description("20 calls per second per caller").build())
            .limit("last", LimitType.CONCURRENCY, ALL, LimitKey.global(), counting("last", held)));
    Responses responses = bidi(stub(), "m1", "m2");

    assertThat(responses.await().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    StatusRuntimeException e = Objects.requireNonNull(responses.failure());
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.getStatus().getDescription()).isEqualTo("Too many requests. Please retry later.");
    assertThat(
            Objects.requireNonNull(e.getTrailers())
                .get(Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER)))
        .isEqualTo("1500");
    QuotaFailure quota = Details.detail(e, QuotaFailure.class);
    assertThat(quota.getViolations(0).getSubject()).isEqualTo("anonymous");
    assertThat(quota.getViolations(0).getDescription())
        .isEqualTo("shared: 20 calls per second per caller");
    assertThat(Details.types(e)).contains("RetryInfo", "ErrorInfo", "LocalizedMessage");
    assertThat(responses.texts).isEmpty();
    assertThat(service.started).hasValue(0);
    assertThat(service.received).isEmpty();
    assertThat(asked).containsExactly("first", "shared");
    awaitZero(held);
  }

  @Test
  void aCallThatEndsWhileItWaitsGivesEveryPermitBackOnceAndNeverStarts() throws Exception {
    AtomicInteger held = new AtomicInteger();
    AtomicInteger lateReleases = new AtomicInteger();
    CountDownLatch answered = new CountDownLatch(1);
    start(
        Limits.serverBuilder()
            .limit("first", LimitType.CONCURRENCY, ALL, LimitKey.global(), counting("first", held))
            .asyncLimit(
                "shared",
                LimitType.CONCURRENCY,
                ALL,
                LimitKey.global(),
                store(
                    "shared",
                    300,
                    () -> {
                      answered.countDown();
                      return Permit.granted(lateReleases::incrementAndGet);
                    }),
                AsyncLimitOptions.builder().timeout(Duration.ofSeconds(5)).build()));
    Responses responses = new Responses();
    StreamObserver<SimpleRequest> requests =
        SimpleServiceGrpc.newStub(server.channel)
            .withDeadlineAfter(100, TimeUnit.MILLISECONDS)
            .bidiStreamingRpc(responses);
    requests.onNext(request("m1"));

    assertThat(responses.await().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    // The call ended at once: the permit taken before the wait is back before the store answers.
    awaitZero(held);
    assertThat(answered.getCount()).as("the store has not answered yet").isEqualTo(1);

    assertThat(answered.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 500 && lateReleases.get() == 0; i++) {
      Thread.sleep(10);
    }
    callThreads.drainCallExecutor(); // after the resumed start, if any
    assertThat(lateReleases).as("the permit the store granted after the end").hasValue(1);
    assertThat(service.started).hasValue(0);
    assertThat(held).hasValue(0);
  }

  @Test
  void aDecisionThereWhenTheCallStartsGoesOnOnTheCallsOwnThread() throws Exception {
    start(
        Limits.serverBuilder()
            .asyncLimit(
                "answered",
                LimitType.RATE,
                ALL,
                LimitKey.global(),
                key -> () -> CompletableFuture.completedFuture(Permit.granted())));
    Responses responses = bidi(stub(), "m1");

    assertThat(responses.await().getCode()).isEqualTo(Status.Code.OK);
    assertThat(threads).singleElement().asString().startsWith("server-executor");
  }
}
