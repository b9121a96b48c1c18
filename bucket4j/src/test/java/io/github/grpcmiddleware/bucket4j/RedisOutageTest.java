package io.github.grpcmiddleware.bucket4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.bucket4j.BucketConfiguration;
import io.github.grpcmiddleware.limits.AsyncLimitOptions;
import io.github.grpcmiddleware.metrics.LimitMetrics;
import io.github.grpcmiddleware.redistest.RedisServer;
import io.github.grpcmiddleware.testing.LogCapture;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A replica whose shared limit's Redis stops in the middle of a run and comes back: calls go on
 * (fail open) or get UNAVAILABLE (fail closed), the outage is logged once, failed-open calls are
 * counted, and limiting resumes once Redis answers again; through real calls on a Netty server.
 */
class RedisOutageTest {
  private static final String GUARD_LOGGER = "io.github.grpcmiddleware.limits.StoreGuard";

  @RegisterExtension static final RedisServer redis = new RedisServer();

  @RegisterExtension final LogCapture log = LogCapture.forLogger(GUARD_LOGGER).atLevel("INFO");

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void restartRedis() throws Exception {
    redis.stop();
    redis.start();
  }

  private static final BucketConfiguration THREE_PER_HOUR =
      BucketConfiguration.builder()
          .addLimit(limit -> limit.capacity(3).refillIntervally(3, Duration.ofHours(1)))
          .build();

  private static Status.Code call(SimpleServiceGrpc.SimpleServiceBlockingStub stub) {
    try {
      stub.unaryRpc(SimpleRequest.newBuilder().setRequestMessage("hello").build());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  private double failedOpen() {
    return registry.find(LimitMetrics.FAILED_OPEN).counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  /** Calls until one is decided by Redis again (Lettuce reconnects with a backoff). */
  private Status.Code awaitRecovery(Replica replica, double failedOpenBefore) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      int infos = log.events("INFO").size();
      Status.Code code = call(replica.blocking("alice-token"));
      if (log.events("INFO").size() > infos || code == Status.Code.RESOURCE_EXHAUSTED) {
        return code;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(
            "Redis did not decide a call within 30 s of its restart (failed open meanwhile: "
                + (failedOpen() - failedOpenBefore)
                + ")");
      }
      Thread.sleep(50);
    }
  }

  @Test
  void redisStoppedMidRunFailsOpenWithOneWarnAndCountsAndLimitingResumesWhenItIsBack()
      throws Exception {
    // Lettuce's default: commands wait for the reconnection, so the limit's timeout decides.
    try (Replica replica =
        Replica.start(
            redis,
            false,
            "open:",
            THREE_PER_HOUR,
            AsyncLimitOptions.builder().timeout(Duration.ofMillis(200)).build(),
            LimitMetrics.rejectionCounter(registry),
            null)) {
      SimpleServiceGrpc.SimpleServiceBlockingStub alice = replica.blocking("alice-token");
      for (int i = 0; i < 3; i++) {
        assertThat(call(alice)).isEqualTo(Status.Code.OK);
      }
      assertThat(call(alice)).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);

      redis.stop();
      for (int i = 0; i < 10; i++) {
        assertThat(call(alice)).as("fail open").isEqualTo(Status.Code.OK);
      }
      assertThat(replica.handled).hasValue(13);
      assertThat(failedOpen()).isEqualTo(10.0);
      assertThat(log.events("WARN"))
          .singleElement()
          .satisfies(
              line ->
                  assertThat(line.message())
                      .isEqualTo(
                          "limit \"per-caller\": its store did not answer within 200 ms; calls go"
                              + " on without the limit (fail open) until it answers in time"));

      // Empty after the restart (no persistence), so the bucket starts full; but Lettuce also runs
      // the commands it queued while disconnected, and they spend tokens of calls long gone.
      redis.start();
      double before = failedOpen();
      Status.Code code = awaitRecovery(replica, before);
      int granted = 0;
      while (code == Status.Code.OK) {
        granted++;
        code = call(alice);
      }
      assertThat(granted).as("at most the bucket, whatever the queued commands took").isLessThan(4);
      assertThat(code).as("limiting resumed").isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(log.events("WARN")).hasSize(1);
      assertThat(log.events("INFO"))
          .singleElement()
          .satisfies(
              line ->
                  assertThat(line.message())
                      .startsWith("limit \"per-caller\": its store answers again after")
                      .contains("calls went on without the limit meanwhile"));
    }
  }

  @Test
  void redisStoppedMidRunFailsClosedWithUnavailableWhenConfigured() throws Exception {
    // REJECT_COMMANDS: a disconnected client fails at once, well within the timeout.
    try (Replica replica =
        Replica.start(
            redis,
            true,
            "closed:",
            THREE_PER_HOUR,
            AsyncLimitOptions.builder().failClosed().build(),
            LimitMetrics.rejectionCounter(registry),
            null)) {
      SimpleServiceGrpc.SimpleServiceBlockingStub alice = replica.blocking("alice-token");
      assertThat(call(alice)).isEqualTo(Status.Code.OK);

      redis.stop();
      long start = System.nanoTime();
      for (int i = 0; i < 10; i++) {
        assertThat(call(alice)).isEqualTo(Status.Code.UNAVAILABLE);
      }
      System.out.printf(
          "10 fail-closed calls with Redis down took %d ms%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      assertThat(replica.handled).hasValue(1);
      assertThat(failedOpen()).isZero();
      assertThat(
              registry
                  .get(LimitMetrics.REJECTED)
                  .tags("limit", Replica.LIMIT, "reason", "unavailable")
                  .counter()
                  .count())
          .isEqualTo(10.0);
      assertThat(log.events("WARN"))
          .singleElement()
          .satisfies(
              line -> {
                assertThat(line.message())
                    .isEqualTo(
                        "limit \"per-caller\": its store failed; calls get UNAVAILABLE (fail"
                            + " closed) until it answers again");
                assertThat(line.throwable()).isNotNull();
              });

      redis.start();
      assertThat(awaitRecovery(replica, 0)).isEqualTo(Status.Code.OK);
      assertThat(replica.handled).hasValue(2);
    }
  }
}
