package io.github.grpcmiddleware.bucket4j;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.grpcmiddleware.limits.AsyncLimiter;
import io.github.grpcmiddleware.limits.AsyncLimiterFactory;
import io.github.grpcmiddleware.limits.Permit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Makes one bucket proxy per key: a handle with no state of its own and no I/O until a call asks
 * for a token.
 *
 * <p>This class is thread-safe.
 */
final class Bucket4jLimiterFactory<K> implements AsyncLimiterFactory {
  private final AsyncProxyManager<K> store;
  private final Function<String, K> storeKey;
  private final Function<String, BucketConfiguration> configuration;

  Bucket4jLimiterFactory(
      AsyncProxyManager<K> store,
      Function<String, K> storeKey,
      Function<String, BucketConfiguration> configuration) {
    this.store = store;
    this.storeKey = storeKey;
    this.configuration = configuration;
  }

  @Override
  public AsyncLimiter create(String key) {
    K inStore = storeKey.apply(key);
    if (inStore == null) {
      throw new NullPointerException("storeKey returned null for a key");
    }
    BucketConfiguration bucket = configuration.apply(key);
    if (bucket == null) {
      throw new NullPointerException("configuration returned null for a key");
    }
    // Read by Bucket4j only when the store has no bucket for the key; never completed by anyone.
    CompletableFuture<BucketConfiguration> created = CompletableFuture.completedFuture(bucket);
    return new Bucket4jLimiter(store.builder().build(inStore, () -> created));
  }

  /** One key's bucket: one token per call. */
  private static final class Bucket4jLimiter implements AsyncLimiter {
    private static final Function<ConsumptionProbe, Permit> TO_PERMIT =
        probe ->
            probe.isConsumed()
                ? Permit.granted()
                : Permit.rejectedNanos(Math.max(0, probe.getNanosToWaitForRefill()));

    private final AsyncBucketProxy bucket;

    Bucket4jLimiter(AsyncBucketProxy bucket) {
      this.bucket = bucket;
    }

    @Override
    public CompletionStage<Permit> acquire() {
      return bucket.tryConsumeAndReturnRemaining(1).thenApply(TO_PERMIT);
    }
  }
}
