package io.github.grpcmiddleware.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.metrics.LimitMetrics;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.grpc.MethodDescriptor;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The part every asynchronous limit goes through (timeout, fail open or closed, one WARN per
 * outage, the counter), driven by real asynchronous limiters: futures completed in time, late,
 * never, or exceptionally. The Redis-backed limiter is tested in the bucket4j module.
 */
@SuppressWarnings("NullAway") // limiters that answer null on purpose
class StoreGuardTest {
  private static final MethodDescriptor<?, ?> METHOD = SimpleServiceGrpc.getUnaryRpcMethod();
  private static final MethodSelector ALL = MethodSelector.of("*");
  private static final Duration TIMEOUT = Duration.ofMillis(100);

  @RegisterExtension final LogCapture log = LogCapture.forLogger(StoreGuard.class).atLevel("INFO");

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  /** A store that the test answers by hand: each acquire is a future the test completes. */
  private static final class ManualStore implements AsyncLimiter {
    final List<CompletableFuture<Permit>> asked = new ArrayList<>();

    @Override
    public synchronized CompletionStage<Permit> acquire() {
      CompletableFuture<Permit> answer = new CompletableFuture<>();
      asked.add(answer);
      return answer;
    }

    synchronized CompletableFuture<Permit> last() {
      return asked.get(asked.size() - 1);
    }
  }

  private LimitRule rule(AsyncLimiter limiter, AsyncLimitOptions options) {
    return Limits.serverBuilder()
        .asyncLimit("shared", LimitType.RATE, ALL, LimitKey.global(), key -> limiter, options)
        .rejectionListener(LimitMetrics.rejectionCounter(registry))
        .buildRules()[0];
  }

  private double failedOpen() {
    return registry.find(LimitMetrics.FAILED_OPEN).tags("limit", "shared").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  private static Permit decide(CompletionStage<Permit> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void anAnswerInTimeIsTheDecisionAndAnAlreadyCompletedOneNeedsNoTimer() throws Exception {
    ManualStore store = new ManualStore();
    LimitRule rule = rule(store, AsyncLimitOptions.defaults());
    CompletionStage<Permit> first = rule.acquire("global", METHOD);
    assertThat(first.toCompletableFuture()).isNotDone();
    Permit rejected = Permit.rejected(Duration.ofMillis(250));
    store.last().complete(rejected);
    assertThat(decide(first)).isSameAs(rejected);

    Permit granted = Permit.granted(() -> {});
    LimitRule immediate =
        rule(() -> CompletableFuture.completedFuture(granted), AsyncLimitOptions.defaults());
    CompletionStage<Permit> second = immediate.acquire("global", METHOD);
    assertThat(second.toCompletableFuture()).isCompletedWithValue(granted);
    assertThat(log.events()).isEmpty();
    assertThat(failedOpen()).isZero();
  }

  @Test
  void aStoreThatNeverAnswersFailsOpenAfterTheTimeoutWithOneWarnPerOutage() throws Exception {
    ManualStore store = new ManualStore();
    LimitRule rule = rule(store, AsyncLimitOptions.builder().timeout(TIMEOUT).build());
    List<CompletionStage<Permit>> calls = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < 20; i++) {
      calls.add(rule.acquire("global", METHOD));
    }
    for (CompletionStage<Permit> call : calls) {
      Permit permit = decide(call);
      assertThat(permit.isGranted()).isTrue();
      assertThat(StoreGuard.isUnavailable(permit)).isFalse();
    }
    long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(waitedMillis).isGreaterThanOrEqualTo(TIMEOUT.toMillis()).isLessThan(5_000);
    assertThat(rule.guard().isDown()).isTrue();
    assertThat(failedOpen()).isEqualTo(20.0);
    assertThat(log.events("WARN"))
        .singleElement()
        .satisfies(
            line ->
                assertThat(line.message())
                    .isEqualTo(
                        "limit \"shared\": its store did not answer within 100 ms; calls go on"
                            + " without the limit (fail open) until it answers in time"));

    // A late answer changes nothing; the next answer in time ends the outage, once.
    store.asked.get(0).complete(Permit.granted());
    assertThat(rule.guard().isDown()).isTrue();
    CompletionStage<Permit> next = rule.acquire("global", METHOD);
    Permit rejected = Permit.rejected(Duration.ofSeconds(1));
    store.last().complete(rejected);
    assertThat(decide(next)).isSameAs(rejected);
    assertThat(rule.guard().isDown()).isFalse();
    assertThat(log.events("INFO"))
        .singleElement()
        .satisfies(
            line ->
                assertThat(line.message())
                    .startsWith("limit \"shared\": its store answers again after ")
                    .endsWith("; 20 calls went on without the limit meanwhile"));
    assertThat(log.events("WARN")).hasSize(1);
  }

  @Test
  void aFailingStoreFailsClosedWithTheUnavailableDecisionAndTheCauseInTheWarn() throws Exception {
    AtomicReference<RuntimeException> down =
        new AtomicReference<>(new IllegalStateException("connection refused"));
    AsyncLimiter store =
        () -> {
          RuntimeException failure = down.get();
          CompletableFuture<Permit> answer = new CompletableFuture<>();
          if (failure != null) {
            // Fails on another thread, as a client library's I/O thread would.
            CompletableFuture.runAsync(() -> answer.completeExceptionally(failure));
          } else {
            answer.complete(Permit.granted());
          }
          return answer;
        };
    LimitRule rule = rule(store, AsyncLimitOptions.builder().failClosed().build());
    for (int i = 0; i < 10; i++) {
      Permit permit = decide(rule.acquire("global", METHOD));
      assertThat(permit.isGranted()).isFalse();
      assertThat(StoreGuard.isUnavailable(permit)).isTrue();
    }
    assertThat(failedOpen()).isZero();
    LoggedEvent warn = log.events("WARN").get(0);
    assertThat(log.events("WARN")).hasSize(1);
    assertThat(warn.message())
        .isEqualTo(
            "limit \"shared\": its store failed; calls get UNAVAILABLE (fail closed) until it"
                + " answers again");
    assertThat(warn.throwable()).hasMessage("connection refused");

    down.set(null);
    assertThat(decide(rule.acquire("global", METHOD)).isGranted()).isTrue();
    assertThat(log.events("INFO"))
        .singleElement()
        .satisfies(
            line -> assertThat(line.message()).endsWith("; 10 calls got UNAVAILABLE meanwhile"));
  }

  @Test
  void aLimiterThatThrowsOrAnswersNullIsAFailingStore() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    AsyncLimiter broken =
        () -> {
          if (calls.incrementAndGet() == 1) {
            throw new IllegalStateException("no connection");
          }
          return calls.get() == 2 ? null : CompletableFuture.completedFuture(null);
        };
    LimitRule rule = rule(broken, AsyncLimitOptions.builder().failClosed().build());
    for (int i = 0; i < 3; i++) {
      assertThat(StoreGuard.isUnavailable(decide(rule.acquire("global", METHOD)))).isTrue();
    }
    assertThat(log.events("WARN")).hasSize(1);
  }

  @Test
  void aGrantedPermitThatArrivesAfterTheTimeoutIsReleasedAtOnce() throws Exception {
    ManualStore store = new ManualStore();
    LimitRule rule =
        rule(
            store, AsyncLimitOptions.builder().timeout(Duration.ofMillis(20)).failClosed().build());
    Permit decision = decide(rule.acquire("global", METHOD));
    assertThat(StoreGuard.isUnavailable(decision)).isTrue();
    AtomicInteger released = new AtomicInteger();
    store.last().complete(Permit.granted(released::incrementAndGet));
    assertThat(released).hasValue(1);
  }

  @Test
  void theRejectionListenerCountsFailOpenCallsPerMethodAndLimit() throws Exception {
    LimitRule rule =
        rule(
            () -> {
              CompletableFuture<Permit> failed = new CompletableFuture<>();
              failed.completeExceptionally(new IllegalStateException("down"));
              return failed;
            },
            AsyncLimitOptions.defaults());
    decide(rule.acquire("global", METHOD));
    assertThat(
            registry
                .get(LimitMetrics.FAILED_OPEN)
                .tags("grpc.method", METHOD.getFullMethodName(), "limit", "shared")
                .counter()
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void optionsAreValidatedAndNamedInTheDescription() {
    assertThatThrownBy(() -> AsyncLimitOptions.builder().timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout: PT0S (expected: > 0 and <= PT1H)");
    assertThatThrownBy(() -> AsyncLimitOptions.builder().description(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("description: \"\" (expected: not empty)");
    assertThatThrownBy(
            () ->
                Limits.serverBuilder()
                    .asyncLimit(
                        "a", LimitType.UNAVAILABLE, ALL, LimitKey.global(), key -> () -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("type: UNAVAILABLE (expected: CONCURRENCY or RATE; see AsyncLimitOptions)");
    assertThat(AsyncLimitOptions.defaults())
        .isEqualTo(AsyncLimitOptions.builder().timeout(Duration.ofMillis(100)).failOpen().build())
        .hasToString("AsyncLimitOptions[timeout=PT0.1S, fail open]");
    LimitsServerBuilder builder =
        Limits.serverBuilder()
            .asyncLimit(
                "shared",
                LimitType.RATE,
                ALL,
                LimitKey.principal(),
                key -> () -> CompletableFuture.completedFuture(Permit.granted()),
                AsyncLimitOptions.builder().description("20 calls per second").build());
    assertThat(builder.buildRules()[0].description).isEqualTo("shared: 20 calls per second");
  }
}
