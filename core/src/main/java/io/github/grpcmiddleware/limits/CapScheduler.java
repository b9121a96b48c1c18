package io.github.grpcmiddleware.limits;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The default timer of capped deadlines: one daemon thread for the whole JVM, created on first use.
 * Cancelled timers are removed from its queue at once (a capped call that ends early cancels its
 * timer), so calls that end before their cap leave nothing behind.
 */
final class CapScheduler {

  private CapScheduler() {}

  static ScheduledExecutorService get() {
    return Holder.INSTANCE;
  }

  private static final class Holder {
    static final ScheduledExecutorService INSTANCE = create();

    private static ScheduledExecutorService create() {
      ScheduledThreadPoolExecutor executor =
          new ScheduledThreadPoolExecutor(
              1,
              runnable -> {
                Thread thread = new Thread(runnable, "grpcmiddleware-deadline-cap");
                thread.setDaemon(true);
                return thread;
              });
      executor.setRemoveOnCancelPolicy(true);
      return executor;
    }
  }
}
