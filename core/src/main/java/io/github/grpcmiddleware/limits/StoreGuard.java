package io.github.grpcmiddleware.limits;

import io.github.grpcmiddleware.internal.DependencyWaits;
import io.grpc.MethodDescriptor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an {@link AsyncLimiter}'s answer into a decision that always comes, within the limit's
 * timeout: the limiter's permit when it answers in time, otherwise (it threw, failed, answered
 * {@code null} or was late) {@link Permits#GRANTED} for a limit that fails open or {@link
 * Permits#UNAVAILABLE} for one that fails closed. A granted permit that arrives after the decision
 * is released at once. Outages are logged once at WARN when they start and once at INFO when they
 * end ({@link DependencyWaits}); every call let through by a limit that fails open is reported to
 * {@link RejectionListener#failedOpen}.
 *
 * <p>The decision's stage completes on the limiter's thread (the store client's I/O thread), the
 * timer's thread, or, for a limiter that answered at once, the calling thread.
 *
 * <p>This class is thread-safe.
 */
final class StoreGuard implements DependencyWaits.Policy<Permit> {
  private static final Logger logger = LoggerFactory.getLogger(StoreGuard.class);

  private final String limitName;
  private final boolean failOpen;
  private final @Nullable RejectionListener listener;
  private final DependencyWaits<Permit> waits;

  StoreGuard(
      String limitName,
      AsyncLimitOptions options,
      @Nullable RejectionListener listener,
      ScheduledExecutorService timer) {
    this.limitName = limitName;
    this.failOpen = options.failsOpen();
    this.listener = listener;
    this.waits =
        new DependencyWaits<>(
            this,
            "limit \"" + limitName + "\": its store",
            failOpen ? "go on without the limit (fail open)" : "get UNAVAILABLE (fail closed)",
            failOpen ? "went on without the limit" : "got UNAVAILABLE",
            Permits.saturatedNanos(options.timeout()),
            timer,
            logger,
            true);
  }

  /** Whether a decision means that the store failed and the limit fails closed. */
  static boolean isUnavailable(Permit permit) {
    return permit == Permits.UNAVAILABLE;
  }

  /** Whether the store is in an outage now; for tests. */
  boolean isDown() {
    return waits.isDown();
  }

  /**
   * Asks {@code limiter} for a permit; the stage always completes, at the latest after the timeout,
   * and never exceptionally.
   */
  CompletableFuture<Permit> acquire(AsyncLimiter limiter, MethodDescriptor<?, ?> method) {
    CompletionStage<Permit> asked;
    try {
      asked = limiter.acquire();
    } catch (RuntimeException e) {
      return waits.failedNow(method, e);
    }
    if (asked == null) {
      return waits.failedNow(
          method, new NullPointerException("AsyncLimiter.acquire() returned null"));
    }
    return waits.await(asked, method);
  }

  @Override
  public Permit failed(MethodDescriptor<?, ?> method) {
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

  @Override
  public void late(Permit permit) {
    permit.release(); // the call went on, or was rejected, already
  }
}
