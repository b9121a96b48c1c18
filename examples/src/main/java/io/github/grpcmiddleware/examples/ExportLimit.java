package io.github.grpcmiddleware.examples;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.bucket4j.redis.lettuce.cas.LettuceBasedProxyManager;
import io.github.grpcmiddleware.bucket4j.Bucket4jLimiters;
import io.github.grpcmiddleware.limits.AsyncLimitOptions;
import io.github.grpcmiddleware.limits.AsyncLimiterFactory;
import io.github.grpcmiddleware.limits.LimitKey;
import io.github.grpcmiddleware.limits.LimitType;
import io.github.grpcmiddleware.limits.Limits;
import io.github.grpcmiddleware.metrics.LimitMetrics;
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
  private final ServerInterceptor interceptor;
  private final @Nullable RedisClient redis;

  private ExportLimit(ServerInterceptor interceptor, @Nullable RedisClient redis) {
    this.interceptor = interceptor;
    this.redis = redis;
  }

  /** The limit in this process only. */
  static ExportLimit local(MeterRegistry registry) {
    // [START export_limit]
    ServerInterceptor limits =
        Limits.serverBuilder() // RESOURCE_EXHAUSTED + RetryInfo + QuotaFailure past the limit
            .rateLimit(
                "export-per-caller",
                MethodSelector.of("example.UserService/ExportUsers"),
                LimitKey.principal(),
                2,
                Duration.ofMinutes(1))
            .rejectionListener(LimitMetrics.rejectionCounter(registry))
            .build();
    // [END export_limit]
    return new ExportLimit(limits, null);
  }

  /**
   * The limit kept in the Redis at {@code uri} ({@code redis://127.0.0.1:6379}), shared by every
   * server started with the same one.
   *
   * @param serverExecutor the server's executor: where a call goes on once Redis answered
   */
  static ExportLimit shared(String uri, MeterRegistry registry, Executor serverExecutor) {
    // [START shared_limit]
    RedisClient redis = RedisClient.create(uri); // such as "redis://127.0.0.1:6379"
    // Fail at once while Redis is unreachable, instead of queueing commands until it is back.
    redis.setOptions(
        ClientOptions.builder()
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .build());
    LettuceBasedProxyManager<byte[]> buckets =
        Bucket4jLettuce.casBasedBuilder(redis)
            // A bucket's key goes away once the bucket is full again: keys that callers make up
            // do not pile up in Redis.
            .expirationAfterWrite(
                ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                    Duration.ofMinutes(1)))
            .build();
    AsyncLimiterFactory perCaller =
        Bucket4jLimiters.builder(buckets, Bucket4jLimiters.utf8Keys("export-per-caller:"))
            .configuration(
                BucketConfiguration.builder()
                    .addLimit(limit -> limit.capacity(2).refillGreedy(2, Duration.ofMinutes(1)))
                    .build())
            .build();
    ServerInterceptor limits =
        Limits.serverBuilder()
            .asyncLimit(
                "export-per-caller",
                LimitType.RATE,
                MethodSelector.of("example.UserService/ExportUsers"),
                LimitKey.principal(),
                perCaller,
                AsyncLimitOptions.builder()
                    .timeout(Duration.ofMillis(100)) // then fail open, with one WARN per outage
                    .description("2 calls per minute per caller, shared by every replica")
                    .build())
            .callExecutor(serverExecutor) // where the call goes on once Redis answered
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
