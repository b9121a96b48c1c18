package io.github.grpcmiddleware.examples;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.grpcmiddleware.bucket4j.Bucket4jLimiters;
import io.github.grpcmiddleware.limits.AsyncLimitOptions;
import io.github.grpcmiddleware.limits.LimitKey;
import io.github.grpcmiddleware.limits.LimitMetrics;
import io.github.grpcmiddleware.limits.LimitType;
import io.github.grpcmiddleware.limits.Limits;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.ServerInterceptor;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * The limits part of the example server: {@code ExportUsers} at 2 calls a minute per caller, kept
 * in this process, or, with the server's {@code --redis URI}, in a Redis that every replica shares
 * (module {@code grpc-middleware-bucket4j}, docs/limits.md "Across replicas"), so that two replicas
 * behind one load balancer still allow 2 a minute, not 4.
 */
final class ExportLimit implements AutoCloseable {
  static final String NAME = "export-per-caller";
  private static final MethodSelector EXPORT_USERS =
      MethodSelector.of("example.UserService/ExportUsers");

  private final ServerInterceptor interceptor;
  private final @Nullable RedisClient redis;

  private ExportLimit(ServerInterceptor interceptor, @Nullable RedisClient redis) {
    this.interceptor = interceptor;
    this.redis = redis;
  }

  /** The limit in this process only. */
  static ExportLimit local(MeterRegistry registry) {
    return new ExportLimit(
        Limits.serverBuilder() // RESOURCE_EXHAUSTED + RetryInfo + QuotaFailure past the limit
            .rateLimit(NAME, EXPORT_USERS, LimitKey.principal(), 2, Duration.ofMinutes(1))
            .rejectionListener(LimitMetrics.rejectionCounter(registry))
            .build(),
        null);
  }

  /**
   * The limit kept in the Redis at {@code uri} ({@code redis://127.0.0.1:6379}), shared by every
   * server started with the same one.
   *
   * @param callExecutor the server's executor: where a call goes on once Redis answered
   */
  static ExportLimit shared(String uri, MeterRegistry registry, Executor callExecutor) {
    // [START shared_limit]
    RedisClient redis = RedisClient.create(uri);
    // Fail at once while Redis is unreachable, rather than queue commands until it is back.
    redis.setOptions(
        ClientOptions.builder()
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .build());
    ServerInterceptor limits =
        Limits.serverBuilder()
            .asyncLimit(
                NAME,
                LimitType.RATE,
                EXPORT_USERS,
                LimitKey.principal(),
                Bucket4jLimiters.builder(
                        Bucket4jLettuce.casBasedBuilder(redis)
                            // A key leaves Redis once its bucket is full again.
                            .expirationAfterWrite(
                                ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                                    Duration.ofMinutes(1)))
                            .build(),
                        Bucket4jLimiters.utf8Keys("example:" + NAME + ":"))
                    .configuration(
                        BucketConfiguration.builder()
                            .addLimit(
                                limit -> limit.capacity(2).refillGreedy(2, Duration.ofMinutes(1)))
                            .build())
                    .build(),
                AsyncLimitOptions.builder()
                    .timeout(Duration.ofMillis(100)) // then fail open: one WARN per outage
                    .description("2 calls per minute per caller, shared by every replica")
                    .build())
            .callExecutor(callExecutor)
            .rejectionListener(LimitMetrics.rejectionCounter(registry))
            .build();
    // [END shared_limit]
    return new ExportLimit(limits, redis);
  }

  /** The limits part, for {@code ServerChainBuilder.limits}. */
  ServerInterceptor interceptor() {
    return interceptor;
  }

  /** Closes the Redis client, if any. */
  @Override
  public void close() {
    RedisClient client = redis;
    if (client != null) {
      client.shutdown();
    }
  }
}
