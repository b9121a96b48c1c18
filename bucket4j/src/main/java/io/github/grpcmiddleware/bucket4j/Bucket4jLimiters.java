package io.github.grpcmiddleware.bucket4j;

import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.grpcmiddleware.limits.AsyncLimiterFactory;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;

/**
 * Entry point: makes an {@link AsyncLimiterFactory} whose limiters are Bucket4j buckets kept in a
 * store shared by every replica, for {@code LimitsServerBuilder.asyncLimit}.
 *
 * <pre>{@code
 * RedisClient redis = RedisClient.create("redis://redis.internal:6379");
 * LettuceBasedProxyManager<byte[]> buckets = Bucket4jLettuce.casBasedBuilder(redis)
 *     .expirationAfterWrite(
 *         ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofMinutes(1)))
 *     .build();
 * AsyncLimiterFactory perCaller = Bucket4jLimiters
 *     .builder(buckets, Bucket4jLimiters.utf8Keys("orders-per-caller:"))
 *     .configuration(BucketConfiguration.builder()
 *         .addLimit(limit -> limit.capacity(20).refillGreedy(20, Duration.ofSeconds(1)))
 *         .build())
 *     .build();
 * ServerInterceptor limits = Limits.serverBuilder()
 *     .asyncLimit("orders-per-caller", LimitType.RATE, MethodSelector.of("example.Orders/*"),
 *         LimitKey.principal(), perCaller)
 *     .build();
 * }</pre>
 *
 * <p>Each call consumes one token with {@code tryConsumeAndReturnRemaining(1)}: a granted call
 * holds nothing to give back (a rate limit), a rejected one gets {@code RetryInfo} (and the {@code
 * grpc-retry-pushback-ms} trailer) from Bucket4j's own nanoseconds to wait for the next token. What
 * happens when the store is slow or down is the limit's business ({@code AsyncLimitOptions}: a
 * timeout, fail open by default).
 *
 * <p>This class is thread-safe.
 */
public final class Bucket4jLimiters {

  private Bucket4jLimiters() {}

  /**
   * Starts a builder on an asynchronous proxy manager.
   *
   * @param store where the buckets live; not null
   * @param storeKey turns a call's limit key (from {@code LimitKey}) into the store's key; must
   *     give different limits different keys (a prefix per limit); not null
   * @param <K> the store's key type ({@code byte[]} for Lettuce, {@code String} for most others)
   * @return a new builder; never null
   */
  public static <K> Bucket4jLimitersBuilder<K> builder(
      AsyncProxyManager<K> store, Function<String, K> storeKey) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(storeKey, "storeKey");
    return new Bucket4jLimitersBuilder<>(store, storeKey);
  }

  /**
   * Starts a builder on a proxy manager that supports asynchronous mode ({@code
   * isAsyncModeSupported()}: Lettuce's and Redisson's do, Jedis' and JCache's do not).
   *
   * @param store where the buckets live; not null, {@code isAsyncModeSupported()}
   * @param storeKey turns a call's limit key into the store's key; not null
   * @param <K> the store's key type
   * @return a new builder; never null
   * @throws IllegalArgumentException when {@code store} has no asynchronous mode
   */
  public static <K> Bucket4jLimitersBuilder<K> builder(
      ProxyManager<K> store, Function<String, K> storeKey) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(storeKey, "storeKey");
    if (!store.isAsyncModeSupported()) {
      throw new IllegalArgumentException(
          "store: "
              + store.getClass().getName()
              + " (expected: a ProxyManager whose isAsyncModeSupported() is true; the limits part"
              + " never waits on a call's thread)");
    }
    return new Bucket4jLimitersBuilder<>(store.asAsync(), storeKey);
  }

  /**
   * Returns store keys made of {@code prefix} and the limit key, in UTF-8: the keys of Lettuce's
   * proxy manager. Give each limit its own prefix.
   *
   * @param prefix not null, not empty, such as {@code "orders-per-caller:"}
   * @return the key function; never null
   * @throws IllegalArgumentException when {@code prefix} is empty
   */
  public static Function<String, byte[]> utf8Keys(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (prefix.isEmpty()) {
      throw new IllegalArgumentException("prefix: \"\" (expected: not empty, one per limit)");
    }
    return key -> (prefix + key).getBytes(StandardCharsets.UTF_8);
  }
}
