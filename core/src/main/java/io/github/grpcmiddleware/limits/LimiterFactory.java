package io.github.grpcmiddleware.limits;

/**
 * Creates the {@link Limiter} of one key the first time a call with that key arrives. The library
 * keeps at most {@link LimitsServerBuilder#maxKeys(int)} of them per limit and forgets the least
 * recently used, so a factory should create fresh state (a new bucket, a new bulkhead) or look it
 * up in a registry of its own that is bounded too.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface LimiterFactory {

  /**
   * Creates the limiter of one key.
   *
   * @param key the key as {@link LimitKey} computed it; not null
   * @return the limiter; never null
   */
  Limiter create(String key);
}
