package io.github.grpcmiddleware.limits;

import java.time.Duration;

/**
 * The answer of a {@link Limiter} to one call: granted (with a {@link #release()} the library calls
 * exactly once when the call ends) or rejected (with the time after which a permit is expected).
 *
 * <p>Implementations must be thread-safe: {@link #release()} may run on any thread.
 */
public interface Permit {

  /**
   * Tells whether the call may go on.
   *
   * @return {@code true} when the permit is granted
   */
  boolean isGranted();

  /**
   * Returns, for a rejected permit, how long the caller should wait before a permit is expected;
   * sent to the caller as {@code google.rpc.RetryInfo}. Ignored for granted permits.
   *
   * @return the delay in nanoseconds; not negative
   */
  long retryAfterNanos();

  /**
   * Gives a granted permit back. The library calls it exactly once per granted permit, when the
   * call ends however it ends (completed, cancelled, past its deadline, failed, or closed by
   * grpc-java itself); it is never called for a rejected permit.
   */
  void release();

  /**
   * Returns a granted permit with nothing to give back (what a rate limiter grants).
   *
   * @return a shared permit; never null
   */
  static Permit granted() {
    return Permits.GRANTED;
  }

  /**
   * Returns a granted permit that runs {@code onRelease} when the call ends (what an adapter for a
   * bulkhead, such as Resilience4j's, grants).
   *
   * @param onRelease run once when the call ends; not null
   * @return a new permit; never null
   */
  static Permit granted(Runnable onRelease) {
    if (onRelease == null) {
      throw new NullPointerException("onRelease");
    }
    return new Permits.Releasing(onRelease);
  }

  /**
   * Returns a rejected permit.
   *
   * @param retryAfter when a permit is expected; not null, not negative
   * @return a new permit; never null
   * @throws IllegalArgumentException when {@code retryAfter} is negative
   */
  static Permit rejected(Duration retryAfter) {
    if (retryAfter == null) {
      throw new NullPointerException("retryAfter");
    }
    if (retryAfter.isNegative()) {
      throw new IllegalArgumentException("retryAfter: " + retryAfter + " (expected: >= 0)");
    }
    return rejectedNanos(Permits.saturatedNanos(retryAfter));
  }

  /**
   * Returns a rejected permit.
   *
   * @param retryAfterNanos when a permit is expected, in nanoseconds; not negative
   * @return a new permit; never null
   * @throws IllegalArgumentException when {@code retryAfterNanos} is negative
   */
  static Permit rejectedNanos(long retryAfterNanos) {
    if (retryAfterNanos < 0) {
      throw new IllegalArgumentException(
          "retryAfterNanos: " + retryAfterNanos + " (expected: >= 0)");
    }
    return new Permits.Rejected(retryAfterNanos);
  }
}
