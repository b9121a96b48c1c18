package io.github.grpcmiddleware.limits;

import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/** A one-thread timer for {@code scheduler(...)} that counts the tasks scheduled on it. */
final class CountingTimer extends ScheduledThreadPoolExecutor {
  final AtomicInteger scheduled = new AtomicInteger();

  CountingTimer() {
    super(1);
    setRemoveOnCancelPolicy(true);
  }

  @Override
  protected <V> RunnableScheduledFuture<V> decorateTask(
      Runnable runnable, RunnableScheduledFuture<V> task) {
    scheduled.incrementAndGet();
    return task;
  }
}
