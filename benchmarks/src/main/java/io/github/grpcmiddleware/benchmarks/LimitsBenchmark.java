package io.github.grpcmiddleware.benchmarks;

import io.github.grpcmiddleware.limits.LimitKey;
import io.github.grpcmiddleware.limits.LimitType;
import io.github.grpcmiddleware.limits.Limits;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
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
 * One in-process unary echo call (as {@link UnaryBenchmark}) through each piece of the limits part
 * alone: the client's default deadline, a concurrency limit, a rate limit, and the server's
 * deadline cap for a call without a deadline, with a longer one and with one within the cap. A
 * deadline costs grpc-java itself a timer on each side, so the rows whose client sends a deadline
 * compare with {@code bare_deadline}, the bare call with the same deadline.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@SuppressWarnings("NullAway.Init")
public class LimitsBenchmark {

  /**
   * The stack: {@code bare} (no interceptors); {@code bare_deadline} and {@code bare_long_deadline}
   * (none, the client sends a 10 s or a 1 h deadline: the floors of the deadline rows); {@code
   * default_deadline} (client: {@code Limits.clientBuilder().defaultDeadline(*, 10 s)}, the call
   * has none); {@code concurrency} (a global concurrency limit far above the one call in flight);
   * {@code rate} (a per-method rate limit far above the benchmark's rate); {@code cap_no_deadline}
   * (a 10 s cap, the call has no deadline, so it is capped); {@code cap_longer_deadline} (a 10 s
   * cap, the client sends 1 h, capped); {@code cap_within_deadline} (a 1 h cap, the client sends 10
   * s, kept: nothing to do); {@code all} (both limits and the 10 s cap, no deadline); {@code
   * rate_redis} (the {@code rate} row's limit kept in a redis-server on 127.0.0.1 through {@code
   * grpc-middleware-bucket4j}: Bucket4j's Lettuce proxy manager, the call going on on the limits
   * part's default call executor; needs redis-server).
   */
  @Param({
    "bare",
    "bare_deadline",
    "bare_long_deadline",
    "default_deadline",
    "concurrency",
    "rate",
    "cap_no_deadline",
    "cap_longer_deadline",
    "cap_within_deadline",
    "all",
    "rate_redis"
  })
  public String stack;

  private static final MethodSelector EVERY_METHOD = MethodSelector.of("*");

  private final SimpleRequest request =
      SimpleRequest.newBuilder().setRequestMessage("hello").build();
  private Stack config;
  private Endpoint endpoint;
  private SimpleServiceGrpc.SimpleServiceBlockingStub stub;

  /** The deadline the client sets on each call, or 0 for none. */
  private long clientDeadlineNanos;

  /** Starts the server and channel, and checks one call. */
  @Setup
  public void setUp() throws Exception {
    config = Stack.create(Stack.BARE);
    switch (stack) {
      case "bare" -> {}
      case "bare_deadline" -> clientDeadlineNanos = TimeUnit.SECONDS.toNanos(10);
      case "bare_long_deadline" -> clientDeadlineNanos = TimeUnit.HOURS.toNanos(1);
      case "default_deadline" ->
          config.client.add(
              Limits.clientBuilder().defaultDeadline(EVERY_METHOD, Duration.ofSeconds(10)).build());
      case "concurrency" ->
          config.server.add(
              Limits.serverBuilder()
                  .concurrencyLimit("inflight", EVERY_METHOD, LimitKey.global(), 10_000)
                  .build());
      case "rate" ->
          config.server.add(
              Limits.serverBuilder()
                  .rateLimit(
                      "rate", EVERY_METHOD, LimitKey.method(), 1_000_000_000, Duration.ofSeconds(1))
                  .build());
      case "cap_no_deadline" -> config.server.add(cap(Duration.ofSeconds(10)));
      case "cap_longer_deadline" -> {
        config.server.add(cap(Duration.ofSeconds(10)));
        clientDeadlineNanos = TimeUnit.HOURS.toNanos(1);
      }
      case "cap_within_deadline" -> {
        config.server.add(cap(Duration.ofHours(1)));
        clientDeadlineNanos = TimeUnit.SECONDS.toNanos(10);
      }
      case "all" ->
          config.server.add(
              Limits.serverBuilder()
                  .deadlineCap(EVERY_METHOD, Duration.ofSeconds(10))
                  .concurrencyLimit("inflight", EVERY_METHOD, LimitKey.global(), 10_000)
                  .rateLimit(
                      "rate", EVERY_METHOD, LimitKey.method(), 1_000_000_000, Duration.ofSeconds(1))
                  .build());
      case "rate_redis" -> {
        LoopbackRedis redis = LoopbackRedis.start();
        config.resources.add(redis);
        config.server.add(
            Limits.serverBuilder()
                .asyncLimit(
                    "rate",
                    LimitType.RATE,
                    EVERY_METHOD,
                    LimitKey.method(),
                    redis.limiters("rate:", LoopbackRedis.PLENTY))
                .build());
      }
      default -> throw new IllegalArgumentException("unknown stack: " + stack);
    }
    endpoint = Endpoint.inProcess(config);
    stub = SimpleServiceGrpc.newBlockingStub(endpoint.channel);
    Checks.echoed(unary());
  }

  private static io.grpc.ServerInterceptor cap(Duration cap) {
    return Limits.serverBuilder().deadlineCap(EVERY_METHOD, cap).build();
  }

  /** Stops everything. */
  @TearDown
  public void tearDown() throws Exception {
    endpoint.close();
    config.close();
  }

  /**
   * One unary call.
   *
   * @return the response, consumed by JMH
   */
  @Benchmark
  public SimpleResponse unary() {
    long deadline = clientDeadlineNanos;
    return (deadline == 0 ? stub : stub.withDeadlineAfter(deadline, TimeUnit.NANOSECONDS))
        .unaryRpc(request);
  }
}
