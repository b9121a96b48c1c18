package io.github.grpcmiddleware.benchmarks;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.grpcmiddleware.limits.AsyncLimiter;
import io.github.grpcmiddleware.limits.Permit;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One rate-limit decision, awaited: {@code local} is a Bucket4j bucket in this JVM, {@code redis}
 * the {@code grpc-middleware-bucket4j} limiter on a redis-server on 127.0.0.1 (Bucket4j's Lettuce
 * proxy manager: a compare-and-swap, two round trips per decision). The limits part adds this to a
 * call that has an asynchronous limit; {@code LimitsBenchmark}'s {@code rate} row is the whole call
 * with the built-in local bucket. Needs {@code redis-server} (apt-get install -y redis-server); the
 * benchmark starts and stops its own.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@SuppressWarnings("NullAway.Init")
public class SharedLimiterBenchmark {

  /** Where the bucket lives: {@code local} (this JVM) or {@code redis} (loopback Redis). */
  @Param({"local", "redis"})
  public String store;

  private static final BucketConfiguration PLENTY = LoopbackRedis.PLENTY;

  private LoopbackRedis redis;
  private Bucket local;
  private AsyncLimiter shared;

  /** Starts redis-server (for {@code redis}) and makes the bucket. */
  @Setup
  public void setUp() throws Exception {
    if (store.equals("local")) {
      local = Bucket.builder().addLimit(PLENTY.getBandwidths()[0]).build();
      return;
    }
    redis = LoopbackRedis.start();
    shared = redis.limiters("bench:", PLENTY).create("principal:bench");
    if (!decision().isGranted()) {
      throw new IllegalStateException("the shared bucket refused the first call");
    }
  }

  /** Stops the client and redis-server. */
  @TearDown
  public void tearDown() throws Exception {
    if (redis != null) {
      redis.close();
    }
  }

  /**
   * One decision.
   *
   * @return the permit, consumed by JMH
   */
  @Benchmark
  public Permit decision() {
    if (local != null) {
      ConsumptionProbe probe = local.tryConsumeAndReturnRemaining(1);
      return probe.isConsumed()
          ? Permit.granted()
          : Permit.rejectedNanos(probe.getNanosToWaitForRefill());
    }
    return shared.acquire().toCompletableFuture().join();
  }
}
