package io.github.grpcmiddleware.bucket4j;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.grpcmiddleware.limits.AsyncLimiterFactory;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Configures the Bucket4j limiters of one limit; obtained from {@link Bucket4jLimiters#builder}.
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs and the factory it returns is immutable
 * and thread-safe.
 *
 * @param <K> the store's key type
 */
public final class Bucket4jLimitersBuilder<K> {
  private final AsyncProxyManager<K> store;
  private final Function<String, K> storeKey;
  private @Nullable Function<String, BucketConfiguration> configuration;

  Bucket4jLimitersBuilder(AsyncProxyManager<K> store, Function<String, K> storeKey) {
    this.store = store;
    this.storeKey = storeKey;
  }

  /**
   * Gives every key the same bucket (for example 20 tokens refilled at 20 per second).
   *
   * @param configuration the bucket of each key; not null
   * @return this builder
   */
  public Bucket4jLimitersBuilder<K> configuration(BucketConfiguration configuration) {
    Objects.requireNonNull(configuration, "configuration");
    this.configuration = key -> configuration;
    return this;
  }

  /**
   * Chooses the bucket of each key (for example a larger one for the principals of a paid plan).
   * Called once per key when its limiter is created; its result is sent to the store only when the
   * key has no bucket there yet, so a changed configuration applies to new buckets (Bucket4j's
   * {@code withImplicitConfigurationReplacement} is the tool for existing ones).
   *
   * @param configuration the bucket of a key; not null, never returns null, must not block
   * @return this builder
   */
  public Bucket4jLimitersBuilder<K> configuration(
      Function<String, BucketConfiguration> configuration) {
    this.configuration = Objects.requireNonNull(configuration, "configuration");
    return this;
  }

  /**
   * Builds the factory.
   *
   * @return the factory, for {@code LimitsServerBuilder.asyncLimit}; never null
   * @throws IllegalStateException when no configuration was given
   */
  public AsyncLimiterFactory build() {
    Function<String, BucketConfiguration> perKey = configuration;
    if (perKey == null) {
      throw new IllegalStateException(
          "configuration: not set (expected: configuration(BucketConfiguration) or"
              + " configuration(Function))");
    }
    return new Bucket4jLimiterFactory<>(store, storeKey, perKey);
  }
}
