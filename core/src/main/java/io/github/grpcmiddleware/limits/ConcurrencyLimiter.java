package io.github.grpcmiddleware.limits;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * At most {@code max} calls in flight. A rejection's retry delay is the expected wait for the next
 * free slot: the smoothed time a permit was held divided by the number held (with N calls of mean
 * duration D in flight, one ends about every D/N), between 1 ms and 60 s; 100 ms before any call
 * ended.
 *
 * <p>This class is thread-safe.
 */
final class ConcurrencyLimiter implements Limiter {

  static final long MIN_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  static final long MAX_RETRY_NANOS = TimeUnit.SECONDS.toNanos(60);
  static final long FIRST_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final int max;
  private final LongSupplier ticker;
  private final AtomicInteger inFlight = new AtomicInteger();

  /** Smoothed hold time in nanoseconds (weight 1/8 per sample); 0 until a permit came back. */
  private final AtomicLong meanHoldNanos = new AtomicLong();

  ConcurrencyLimiter(int max, LongSupplier ticker) {
    this.max = max;
    this.ticker = ticker;
  }

  @Override
  public Permit tryAcquire() {
    while (true) {
      int current = inFlight.get();
      if (current >= max) {
        return Permit.rejectedNanos(retryAfterNanos(current));
      }
      if (inFlight.compareAndSet(current, current + 1)) {
        return new Held(this, ticker.getAsLong());
      }
    }
  }

  /** The number of permits held now. */
  int inFlight() {
    return inFlight.get();
  }

  private long retryAfterNanos(int held) {
    long mean = meanHoldNanos.get();
    if (mean == 0) {
      return FIRST_RETRY_NANOS;
    }
    long perSlot = mean / Math.max(1, held);
    return Math.max(MIN_RETRY_NANOS, Math.min(MAX_RETRY_NANOS, perSlot));
  }

  private void released(long heldNanos) {
    inFlight.decrementAndGet();
    long sample = Math.max(1, heldNanos);
    meanHoldNanos.accumulateAndGet(sample, (mean, s) -> mean == 0 ? s : mean + (s - mean) / 8);
  }

  /**
   * One call's permit; gives its slot back once, however often release is called. One object, with
   * no release task to allocate; its hold time feeds the retry estimate.
   */
  private static final class Held extends Permits.ReleaseOnce {
    private static final long serialVersionUID = 1L;
    private final transient ConcurrencyLimiter limiter;
    private final long start;

    Held(ConcurrencyLimiter limiter, long start) {
      this.limiter = limiter;
      this.start = start;
    }

    @Override
    void released() {
      limiter.released(limiter.ticker.getAsLong() - start);
    }
  }
}
