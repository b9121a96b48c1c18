package io.github.grpcmiddleware.internal;

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

/**
 * This class is internal and is hence not for public use. Its APIs are unstable and can change at
 * any time.
 *
 * <p>Waits for the answers of one asynchronous dependency of a part (the store of a shared limit,
 * an identity provider), each call's at most a timeout, and tells the operators of its outages
 * once. A call's wait ({@link #await}) completes exactly once: with the dependency's answer when it
 * comes in time (a value, or an exception the {@link Policy} calls an answer, such as invalid
 * credentials), otherwise (it failed, answered {@code null}, or was late) with the policy's
 * decision for a failed call. An answer that comes after that decision is handed to {@link
 * Policy#late} (a granted permit goes back).
 *
 * <p>An outage starts with the first failure while the dependency was answering and ends with the
 * first answer in time: one WARN when it starts, one INFO when it ends with the number of calls it
 * affected, DEBUG for the calls in between. A late answer does not end an outage (a dependency
 * slower than the timeout is still down for the calls).
 *
 * <p>A wait completes on the dependency's thread (a client library's I/O thread), the timer's
 * thread, or, for an answer that was there at once, the calling thread. This class is thread-safe.
 *
 * @param <T> the answer's type
 */
public final class DependencyWaits<T> {

  /** What a part makes of its dependency's failures and late answers. */
  public interface Policy<T> {
    /**
     * Returns the decision of a call the dependency failed (fail open or closed); may count it.
     *
     * @param method the call's method
     * @return the decision; not null
     */
    T failed(MethodDescriptor<?, ?> method);

    /**
     * Gives back what an answer that came after its call's decision holds; must not throw.
     *
     * @param answer the late answer
     */
    default void late(T answer) {}

    /**
     * Tells whether an exceptional answer is the dependency's answer (invalid credentials) rather
     * than its failure.
     *
     * @param error the exception, unwrapped from a {@code CompletionException}
     * @return true for an answer, which completes the wait exceptionally
     */
    default boolean isAnswer(Throwable error) {
      return false;
    }

    /**
     * Returns the answer that stands for a {@code null} answer (no identity), or null when a null
     * answer is the dependency's failure (the default).
     *
     * @return the stand-in, or null
     */
    default @Nullable T nullAnswer() {
      return null;
    }
  }

  @SuppressWarnings("rawtypes") // the updater of a generic class
  private static final AtomicIntegerFieldUpdater<DependencyWaits> DOWN =
      AtomicIntegerFieldUpdater.newUpdater(DependencyWaits.class, "down");

  private final Policy<T> policy;
  private final String subject;
  private final String whileDown;
  private final String meanwhile;
  private final long timeoutNanos;
  private final ScheduledExecutorService timer;
  private final Logger logger;
  private final boolean logsCause;

  /** 1 during an outage. */
  private volatile int down;

  private volatile long outageStartNanos;
  private final AtomicLong outageCalls = new AtomicLong();

  /**
   * Creates the waits of one dependency.
   *
   * @param policy its failures' decisions; not null
   * @param subject names the dependency in log lines ({@code limit "orders": its store}); not null
   * @param whileDown what calls do during an outage ({@code go on without the limit}); not null
   * @param meanwhile what they did, for the line at its end ({@code went on without the limit})
   * @param timeoutNanos the longest a call waits; positive
   * @param timer runs the timeouts; not null
   * @param logger where the lines go; not null
   * @param logsCause whether the WARN carries the failure itself (with its message and stack), or
   *     only its class name (a failure whose message may quote a credential)
   */
  public DependencyWaits(
      Policy<T> policy,
      String subject,
      String whileDown,
      String meanwhile,
      long timeoutNanos,
      ScheduledExecutorService timer,
      Logger logger,
      boolean logsCause) {
    this.policy = policy;
    this.subject = subject;
    this.whileDown = whileDown;
    this.meanwhile = meanwhile;
    this.timeoutNanos = timeoutNanos;
    this.timer = timer;
    this.logger = logger;
    this.logsCause = logsCause;
  }

  /** Whether the dependency is in an outage now. */
  public boolean isDown() {
    return down == 1;
  }

  /**
   * Waits for {@code answer}, at most the timeout.
   *
   * @param answer the dependency's answer for one call; not null
   * @param method the call's method, for the policy and DEBUG lines; not null
   * @return the call's decision, complete by about the timeout; never null
   */
  public CompletableFuture<T> await(CompletionStage<T> answer, MethodDescriptor<?, ?> method) {
    Wait<T> wait = new Wait<>(this, method);
    answer.whenComplete(wait);
    if (wait.decided == 0) {
      wait.schedule();
    }
    return wait;
  }

  /**
   * Returns the decision of a call whose dependency failed before it answered (threw, or gave no
   * answer at all).
   *
   * @param method the call's method; not null
   * @param cause the failure; not null
   * @return the completed decision; never null
   */
  public CompletableFuture<T> failedNow(MethodDescriptor<?, ?> method, Throwable cause) {
    return CompletableFuture.completedFuture(failed(method, cause, false));
  }

  private T failed(MethodDescriptor<?, ?> method, Throwable cause, boolean late) {
    outageCalls.incrementAndGet();
    if (DOWN.compareAndSet(this, 0, 1)) {
      outageStartNanos = System.nanoTime();
      if (late) {
        logger.warn(
            "{} did not answer within {} ms; calls {} until it answers in time",
            subject,
            TimeUnit.NANOSECONDS.toMillis(timeoutNanos),
            whileDown);
      } else if (logsCause) {
        logger.warn("{} failed; calls {} until it answers again", subject, whileDown, cause);
      } else {
        logger.warn(
            "{} failed ({}); calls {} until it answers again",
            subject,
            cause.getClass().getName(),
            whileDown);
      }
    } else if (logger.isDebugEnabled()) {
      logger.debug(
          "{} {} for {}",
          subject,
          late ? "was late" : "failed (" + cause.getClass().getName() + ")",
          method.getFullMethodName());
    }
    return policy.failed(method);
  }

  private void answered() {
    if (down == 1 && DOWN.compareAndSet(this, 1, 0)) {
      logger.info(
          "{} answers again after {} ms; {} calls {} meanwhile",
          subject,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - outageStartNanos),
          outageCalls.getAndSet(0),
          meanwhile);
    }
  }

  private void late(T answer) {
    try {
      policy.late(answer);
    } catch (RuntimeException e) {
      logger.debug("{}: giving back a late answer failed; ignored", subject, e);
    }
  }

  /** One call's wait: completed by the answer or by the timer, whichever is first. */
  private static final class Wait<T> extends CompletableFuture<T>
      implements BiConsumer<@Nullable T, @Nullable Throwable>, Runnable {
    @SuppressWarnings("rawtypes") // the updater of a generic class
    private static final AtomicIntegerFieldUpdater<Wait> DECIDED =
        AtomicIntegerFieldUpdater.newUpdater(Wait.class, "decided");

    private final DependencyWaits<T> waits;
    private final MethodDescriptor<?, ?> method;
    volatile int decided;
    private volatile @Nullable ScheduledFuture<?> timeout;

    Wait(DependencyWaits<T> waits, MethodDescriptor<?, ?> method) {
      this.waits = waits;
      this.method = method;
    }

    void schedule() {
      ScheduledFuture<?> task;
      try {
        task = waits.timer.schedule(this, waits.timeoutNanos, TimeUnit.NANOSECONDS);
      } catch (RuntimeException e) {
        // No timer (the application's scheduler was shut down): the answer still comes, unbounded.
        waits.logger.debug("{}: no timer for the timeout", waits.subject, e);
        return;
      }
      timeout = task;
      if (decided == 1) {
        task.cancel(false);
      }
    }

    /** The dependency's answer. */
    @Override
    @SuppressWarnings("unchecked") // DECIDED is the updater of this class
    public void accept(@Nullable T given, @Nullable Throwable error) {
      T answer = given;
      boolean first = DECIDED.compareAndSet(this, 0, 1);
      ScheduledFuture<?> task = timeout;
      if (task != null) {
        task.cancel(false);
      }
      Throwable cause =
          error instanceof CompletionException && error.getCause() != null
              ? error.getCause()
              : error;
      if (cause == null && answer == null) {
        answer = waits.policy.nullAnswer();
      }
      if (cause == null && answer != null) {
        if (first) {
          waits.answered();
          complete(answer);
        } else {
          waits.late(answer); // the call went on, or was rejected, already
        }
      } else if (first) {
        if (cause != null && waits.policy.isAnswer(cause)) {
          waits.answered();
          completeExceptionally(cause);
        } else {
          complete(
              waits.failed(
                  method,
                  cause != null ? cause : new NullPointerException("the answer was null"),
                  false));
        }
      }
    }

    /** The timeout. */
    @Override
    @SuppressWarnings("unchecked") // DECIDED is the updater of this class
    public void run() {
      if (DECIDED.compareAndSet(this, 0, 1)) {
        complete(waits.failed(method, new TimeoutException(), true));
      }
    }
  }
}
