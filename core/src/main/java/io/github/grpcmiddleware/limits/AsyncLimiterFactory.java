package io.github.grpcmiddleware.limits;

/**
 * Creates the {@link AsyncLimiter} of one key the first time a call with that key arrives, as
 * {@link LimiterFactory} does for {@link Limiter}. The library keeps at most {@link
 * LimitsServerBuilder#maxKeys(int)} of them per limit and forgets the least recently used, so a
 * limiter should be a cheap handle on state kept elsewhere (a Bucket4j bucket proxy is one).
 *
 * <p>Implementations must be thread-safe and must not block: {@link #create(String)} runs on the
 * call's thread (outside any lock of the library).
 */
@FunctionalInterface
public interface AsyncLimiterFactory {

  /**
   * Creates the limiter of one key.
   *
   * @param key the key as {@link LimitKey} computed it; not null
   * @return the limiter; never null
   */
  AsyncLimiter create(String key);
}
