package io.github.grpcmiddleware.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.bucket4j.BucketConfiguration;
import io.github.grpcmiddleware.bucket4j.Bucket4jLimiters;
import io.github.grpcmiddleware.redistest.Redis;
import io.github.grpcmiddleware.redistest.RedisServer;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.testing.LogCapture;
import io.grpc.MethodDescriptor;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Redis-backed limit when Redis stops and comes back: the store guard of the limits part (in
 * core) around the Bucket4j limiters of this module. In the limits package to reach the rules the
 * builder makes; through a server once the limits part runs asynchronous limits.
 */
class RedisOutageTest {
  private static final MethodDescriptor<?, ?> METHOD = SimpleServiceGrpc.getUnaryRpcMethod();

  @RegisterExtension static final RedisServer redis = new RedisServer();

  @RegisterExtension final LogCapture log = LogCapture.forLogger(StoreGuard.class).atLevel("INFO");

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<RedisClient> clients = new ArrayList<>();

  @AfterEach
  void closeClientsAndRestartRedis() throws Exception {
    for (RedisClient client : clients) {
      client.shutdown();
    }
    redis.stop();
    redis.start();
  }

  private LimitRule rule(
      String prefix, boolean rejectWhileDisconnected, AsyncLimitOptions options) {
    RedisClient client = Redis.client(redis, rejectWhileDisconnected);
    clients.add(client);
    return Limits.serverBuilder()
        .asyncLimit(
            "shared",
            LimitType.RATE,
            MethodSelector.of("*"),
            LimitKey.principal(),
            Bucket4jLimiters.builder(Redis.buckets(client), Bucket4jLimiters.utf8Keys(prefix))
                .configuration(
                    BucketConfiguration.builder()
                        .addLimit(
                            limit -> limit.capacity(3).refillIntervally(3, Duration.ofHours(1)))
                        .build())
                .build(),
            options)
        .rejectionListener(LimitMetrics.rejectionCounter(registry))
        .buildRules()[0];
  }

  private static Permit decide(LimitRule rule) throws Exception {
    return rule.acquire("principal:alice", METHOD).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private double failedOpen() {
    return registry.find(LimitMetrics.FAILED_OPEN).counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  /** Asks until an answer comes from the store in time again (Lettuce reconnects with backoff). */
  private static Permit awaitRecovery(LimitRule rule) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      Permit permit = decide(rule);
      if (!rule.guard().isDown()) {
        return permit;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("the store did not answer in time within 30 s of its restart");
      }
      Thread.sleep(50);
    }
  }

  @Test
  void redisStoppedMidRunFailsOpenWithOneWarnAndCountsAndLimitingResumesWhenItIsBack()
      throws Exception {
    // Lettuce's default: commands wait for the reconnection, so the limit's timeout decides.
    LimitRule rule =
        rule("open:", false, AsyncLimitOptions.builder().timeout(Duration.ofMillis(200)).build());
    for (int i = 0; i < 3; i++) {
      assertThat(decide(rule).isGranted()).isTrue();
    }
    assertThat(decide(rule).isGranted()).isFalse();

    redis.stop();
    for (int i = 0; i < 10; i++) {
      Permit permit = decide(rule);
      assertThat(permit.isGranted()).as("fail open").isTrue();
    }
    assertThat(failedOpen()).isEqualTo(10.0);
    assertThat(log.events("WARN"))
        .singleElement()
        .satisfies(
            line ->
                assertThat(line.message())
                    .isEqualTo(
                        "limit \"shared\": its store did not answer within 200 ms; calls go on"
                            + " without the limit (fail open) until it answers in time"));

    // Empty after the restart (no persistence), so the bucket starts full; but Lettuce also runs
    // the commands it queued while disconnected, and they spend tokens of calls long gone.
    redis.start();
    Permit permit = awaitRecovery(rule);
    int granted = 0;
    while (permit.isGranted()) {
      granted++;
      permit = decide(rule);
    }
    assertThat(granted).as("at most the bucket, whatever the queued commands took").isLessThan(4);
    assertThat(permit.retryAfterNanos()).as("limiting resumed").isPositive();
    assertThat(rule.guard().isDown()).isFalse();
    assertThat(log.events("WARN")).hasSize(1);
    assertThat(log.events("INFO"))
        .singleElement()
        .satisfies(
            line -> assertThat(line.message()).startsWith("limit \"shared\": its store answers"));
  }

  @Test
  void redisStoppedMidRunFailsClosedWithTheUnavailableDecisionWhenConfigured() throws Exception {
    // REJECT_COMMANDS: a disconnected client fails at once, well within the timeout.
    LimitRule rule = rule("closed:", true, AsyncLimitOptions.builder().failClosed().build());
    assertThat(decide(rule).isGranted()).isTrue();

    redis.stop();
    long start = System.nanoTime();
    for (int i = 0; i < 10; i++) {
      Permit permit = decide(rule);
      assertThat(permit.isGranted()).isFalse();
      assertThat(StoreGuard.isUnavailable(permit)).isTrue();
    }
    System.out.printf(
        "10 fail-closed decisions with Redis down took %d ms%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    assertThat(failedOpen()).isZero();
    assertThat(log.events("WARN"))
        .singleElement()
        .satisfies(
            line -> {
              assertThat(line.message())
                  .isEqualTo(
                      "limit \"shared\": its store failed; calls get UNAVAILABLE (fail closed)"
                          + " until it answers again");
              assertThat(line.throwable()).isNotNull();
            });

    redis.start();
    assertThat(awaitRecovery(rule).isGranted()).isTrue();
  }
}
