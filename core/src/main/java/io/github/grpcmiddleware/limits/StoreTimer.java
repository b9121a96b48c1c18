package io.github.grpcmiddleware.limits;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.MDC;

/**
 * The timer of the asynchronous limits' timeouts when the application gives none ({@link
 * LimitsServerBuilder#scheduler}): one daemon thread for the JVM, started on first use and ended
 * after 30 s without a timeout to run (so a redeployed application does not keep it, nor its class
 * loader). It has no context class loader and clears the MDC before each task.
 *
 * <p>One task per waiting call, cancelled (and removed) when the store answers first: next to a
 * network round trip to the store, that costs nothing measurable (LimitsBenchmark, docs/limits.md).
 */
final class StoreTimer {

  private StoreTimer() {}

  /** The shared timer. */
  static ScheduledExecutorService shared() {
    return Holder.TIMER;
  }

  private static final class Holder {
    static final ScheduledExecutorService TIMER = create();

    private static ScheduledExecutorService create() {
      ScheduledThreadPoolExecutor timer =
          new ScheduledThreadPoolExecutor(
              1,
              task -> {
                Thread thread =
                    new Thread(
                        () -> {
                          MDC.clear();
                          task.run();
                        },
                        "grpcmiddleware-limit-timeout");
                thread.setDaemon(true);
                thread.setContextClassLoader(null);
                return thread;
              });
      timer.setRemoveOnCancelPolicy(true);
      timer.setKeepAliveTime(30, TimeUnit.SECONDS);
      timer.allowCoreThreadTimeOut(true);
      return timer;
    }
  }
}
