package io.github.grpcmiddleware.limits;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Built-in concurrency limiters whose permits count how often the library releases them: a second
 * release of one permit is recorded in {@link #doubleReleases}, not hidden by the permit's guard.
 */
final class CountingLimiters implements LimiterFactory {
  final AtomicInteger acquired = new AtomicInteger();
  final AtomicInteger released = new AtomicInteger();
  final AtomicInteger doubleReleases = new AtomicInteger();
  private final int max;

  CountingLimiters(int max) {
    this.max = max;
  }

  @Override
  public Limiter create(String key) {
    ConcurrencyLimiter inner = new ConcurrencyLimiter(max, System::nanoTime);
    return () -> {
      Permit permit = inner.tryAcquire();
      if (!permit.isGranted()) {
        return permit;
      }
      acquired.incrementAndGet();
      AtomicBoolean done = new AtomicBoolean();
      return new Permit() {
        @Override
        public boolean isGranted() {
          return true;
        }

        @Override
        public long retryAfterNanos() {
          return 0;
        }

        @Override
        public void release() {
          if (!done.compareAndSet(false, true)) {
            doubleReleases.incrementAndGet();
            return;
          }
          permit.release();
          synchronized (CountingLimiters.this) {
            released.incrementAndGet();
            CountingLimiters.this.notifyAll();
          }
        }
      };
    };
  }

  /** Waits (at most 10 s) until {@code count} permits came back, then returns the count. */
  synchronized int awaitReleased(int count) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (released.get() < count) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        break;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return released.get();
  }

  int inFlight() {
    return acquired.get() - released.get();
  }
}
