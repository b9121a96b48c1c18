package io.github.grpcmiddleware.limits;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A token bucket of {@code capacity} tokens refilled at one token per {@code intervalNanos},
 * written as the equivalent generic cell rate algorithm: one timestamp (the time at which the
 * bucket would be full again) updated with compare-and-set, so no lock and exact integer
 * arithmetic. A rejection's retry delay is exactly the time until the next token.
 *
 * <p>This class is thread-safe.
 */
final class TokenBucketLimiter implements Limiter {

  private final long intervalNanos;
  private final long toleranceNanos;
  private final LongSupplier ticker;

  /** When the bucket is full again: at or before "now" means full. */
  private final AtomicLong fullAt;

  TokenBucketLimiter(int capacity, long intervalNanos, LongSupplier ticker) {
    this.intervalNanos = intervalNanos;
    this.toleranceNanos = saturatedMultiply(capacity - 1L, intervalNanos);
    this.ticker = ticker;
    this.fullAt = new AtomicLong(ticker.getAsLong());
  }

  @Override
  public Permit tryAcquire() {
    long now = ticker.getAsLong();
    while (true) {
      long full = fullAt.get();
      long from = full - now > 0 ? full : now;
      long ahead = from - now;
      if (ahead > toleranceNanos) {
        return Permit.rejectedNanos(ahead - toleranceNanos);
      }
      if (fullAt.compareAndSet(full, from + intervalNanos)) {
        return Permit.granted();
      }
    }
  }

  private static long saturatedMultiply(long a, long b) {
    return a != 0 && b > Long.MAX_VALUE / a ? Long.MAX_VALUE : a * b;
  }
}
