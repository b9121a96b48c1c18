package io.github.grpcmiddleware.limits;

import java.util.Collections;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The scheduler given to {@code Context.withDeadline} for a capped Context: it schedules nothing.
 * The Context gets its deadline (so {@code getDeadline()} and downstream calls see the cap) while
 * the call's {@link CapTimer} does the timing and cancels the Context itself; grpc-java would
 * otherwise put a second timer task per call on the scheduler. Only {@code schedule(Runnable,
 * ...)}, the one method the Context calls, is supported.
 */
final class DeadlineOnlyScheduler extends AbstractExecutorService
    implements ScheduledExecutorService {

  static final DeadlineOnlyScheduler INSTANCE = new DeadlineOnlyScheduler();

  /** What the Context cancels when it is cancelled: nothing was scheduled, nothing is pending. */
  private static final ScheduledFuture<Object> NOTHING = new Done();

  private DeadlineOnlyScheduler() {}

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return NOTHING;
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException("only a Context's deadline uses this scheduler");
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    throw new UnsupportedOperationException("only a Context's deadline uses this scheduler");
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException("only a Context's deadline uses this scheduler");
  }

  @Override
  public void execute(Runnable command) {
    throw new UnsupportedOperationException("only a Context's deadline uses this scheduler");
  }

  @Override
  public void shutdown() {}

  @Override
  public List<Runnable> shutdownNow() {
    return Collections.emptyList();
  }

  @Override
  public boolean isShutdown() {
    return false;
  }

  @Override
  public boolean isTerminated() {
    return false;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return false;
  }

  /** A future that is done already (so cancelling it does nothing). */
  private static final class Done extends FutureTask<Object> implements ScheduledFuture<Object> {
    Done() {
      super(() -> null);
      run();
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return 0;
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(0, other.getDelay(TimeUnit.NANOSECONDS));
    }
  }
}
