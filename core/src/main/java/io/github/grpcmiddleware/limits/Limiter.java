package io.github.grpcmiddleware.limits;

/**
 * Decides whether one more call under one key may start: the state of one limit for one key (one
 * method, one principal, one peer, or everything).
 *
 * <p>The built-in limiters ({@link LimitsServerBuilder#concurrencyLimit} and {@link
 * LimitsServerBuilder#rateLimit}) need no dependency; an adapter for another library is a few
 * lines, for example a Resilience4j {@code Bulkhead}:
 *
 * <pre>{@code
 * Limiter limiter = () -> bulkhead.tryAcquirePermission()
 *     ? Permit.granted(bulkhead::onComplete)
 *     : Permit.rejected(Duration.ofMillis(100));
 * }</pre>
 *
 * <p>Implementations must be thread-safe and must not block: {@link #tryAcquire()} runs on the
 * call's thread before the service sees the call.
 */
@FunctionalInterface
public interface Limiter {

  /**
   * Tries to take a permit for one call.
   *
   * @return the permit, granted or rejected; never null
   */
  Permit tryAcquire();
}
