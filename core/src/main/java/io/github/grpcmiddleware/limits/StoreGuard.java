package io.github.grpcmiddleware.limits;

import io.grpc.MethodDescriptor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an {@link AsyncLimiter}'s answer into a decision that always comes, within the limit's
 * timeout: the limiter's permit when it answers in time, otherwise (it threw, failed, answered
 * {@code null} or was late) {@link Permits#GRANTED} for a limit that fails open or {@link
 * Permits#UNAVAILABLE} for one that fails closed. A granted permit that arrives after the decision
 * is released at once.
 *
 * <p>An outage starts with the first failure while the store was answering and ends with the first
 * answer in time: it is logged once at WARN when it starts and once at INFO when it ends, with the
 * number of calls it affected; the calls in between log at DEBUG. A late answer does not end an
 * outage (a store slower than the timeout is still down for the calls). Every call let through by a
 * limit that fails open is reported to {@link RejectionListener#failedOpen}.
 *
 * <p>The decision's stage completes on the limiter's thread (the store client's I/O thread), the
 * timer's thread, or, for a limiter that answered at once, the calling thread.
 *
 * <p>This class is thread-safe.
 */
final class StoreGuard {
  private static final Logger logger = LoggerFactory.getLogger(StoreGuard.class);

  private static final AtomicIntegerFieldUpdater<StoreGuard> DOWN =
      AtomicIntegerFieldUpdater.newUpdater(StoreGuard.class, "down");

  private final String limitName;
  private final long timeoutNanos;
  private final boolean failOpen;
  private final @Nullable RejectionListener listener;
  private final ScheduledExecutorService timer;

  /** 1 during an outage. */
  private volatile int down;

  private volatile long outageStartNanos;
  private final AtomicLong outageCalls = new AtomicLong();

  StoreGuard(
      String limitName,
      AsyncLimitOptions options,
      @Nullable RejectionListener listener,
      ScheduledExecutorService timer) {
    this.limitName = limitName;
    this.timeoutNanos = Permits.saturatedNanos(options.timeout());
    this.failOpen = options.failsOpen();
    this.listener = listener;
    this.timer = timer;
  }

  /** Whether a decision means that the store failed and the limit fails closed. */
  static boolean isUnavailable(Permit permit) {
    return permit == Permits.UNAVAILABLE;
  }

  /** Whether the store is in an outage now; for tests. */
  boolean isDown() {
    return down == 1;
  }

  /**
   * Asks {@code limiter} for a permit; the stage always completes, at the latest after the timeout,
   * and never exceptionally.
   */
  CompletionStage<Permit> acquire(AsyncLimiter limiter, MethodDescriptor<?, ?> method) {
    CompletionStage<Permit> asked;
    try {
      asked = limiter.acquire();
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(failed(method, e, false));
    }
    if (asked == null) {
      return CompletableFuture.completedFuture(
          failed(method, new NullPointerException("AsyncLimiter.acquire() returned null"), false));
    }
    Decision decision = new Decision(this, method);
    asked.whenComplete(decision);
    if (decision.decided == 0) {
      decision.schedule();
    }
    return decision;
  }

  /** Records a failure of the store for one call and returns the call's decision. */
  private Permit failed(MethodDescriptor<?, ?> method, Throwable cause, boolean late) {
    outageCalls.incrementAndGet();
    if (DOWN.compareAndSet(this, 0, 1)) {
      outageStartNanos = System.nanoTime();
      if (late) {
        logger.warn(
            "limit \"{}\": its store did not answer within {} ms; calls {} until it answers in time",
            limitName,
            TimeUnit.NANOSECONDS.toMillis(timeoutNanos),
            failOpen ? "go on without the limit (fail open)" : "get UNAVAILABLE (fail closed)");
      } else {
        logger.warn(
            "limit \"{}\": its store failed; calls {} until it answers again",
            limitName,
            failOpen ? "go on without the limit (fail open)" : "get UNAVAILABLE (fail closed)",
            cause);
      }
    } else if (logger.isDebugEnabled()) {
      logger.debug(
          "limit \"{}\": store {} for {}",
          limitName,
          late ? "late" : "failed (" + cause + ")",
          method.getFullMethodName());
    }
    if (!failOpen) {
      return Permits.UNAVAILABLE;
    }
    RejectionListener counting = listener;
    if (counting != null) {
      try {
        counting.failedOpen(method, limitName);
      } catch (RuntimeException e) {
        logger.debug("a RejectionListener threw; ignored", e);
      }
    }
    return Permits.GRANTED;
  }

  private void answered() {
    if (down == 1 && DOWN.compareAndSet(this, 1, 0)) {
      long calls = outageCalls.getAndSet(0);
      logger.info(
          "limit \"{}\": its store answers again after {} ms; {} calls {} meanwhile",
          limitName,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - outageStartNanos),
          calls,
          failOpen ? "went on without the limit" : "got UNAVAILABLE");
    }
  }

  private static void release(Permit permit) {
    try {
      permit.release();
    } catch (RuntimeException e) {
      logger.debug("a permit's release threw; ignored", e);
    }
  }

  /** One call's decision: completed by the limiter's answer or by the timer, whichever is first. */
  private static final class Decision extends CompletableFuture<Permit>
      implements BiConsumer<@Nullable Permit, @Nullable Throwable>, Runnable {
    private static final AtomicIntegerFieldUpdater<Decision> DECIDED =
        AtomicIntegerFieldUpdater.newUpdater(Decision.class, "decided");

    private final StoreGuard guard;
    private final MethodDescriptor<?, ?> method;
    private volatile int decided;
    private volatile @Nullable ScheduledFuture<?> timeout;

    Decision(StoreGuard guard, MethodDescriptor<?, ?> method) {
      this.guard = guard;
      this.method = method;
    }

    void schedule() {
      ScheduledFuture<?> task;
      try {
        task = guard.timer.schedule(this, guard.timeoutNanos, TimeUnit.NANOSECONDS);
      } catch (RuntimeException e) {
        // No timer (the application's scheduler was shut down): the store still answers, unbounded.
        logger.debug("limit \"{}\": no timer for the store's timeout", guard.limitName, e);
        return;
      }
      timeout = task;
      if (decided == 1) {
        task.cancel(false);
      }
    }

    /** The limiter's answer. */
    @Override
    public void accept(@Nullable Permit permit, @Nullable Throwable error) {
      boolean first = DECIDED.compareAndSet(this, 0, 1);
      ScheduledFuture<?> task = timeout;
      if (task != null) {
        task.cancel(false);
      }
      if (error == null && permit != null) {
        if (first) {
          complete(permit);
          guard.answered();
        } else {
          release(permit); // late: the call went on, or was rejected, already
        }
      } else if (first) {
        Throwable cause =
            error instanceof CompletionException && error.getCause() != null
                ? error.getCause()
                : error;
        complete(
            guard.failed(
                method,
                cause != null ? cause : new NullPointerException("the stage completed with null"),
                false));
      }
    }

    /** The timeout. */
    @Override
    public void run() {
      if (DECIDED.compareAndSet(this, 0, 1)) {
        complete(guard.failed(method, new TimeoutException(), true));
      }
    }
  }
}
