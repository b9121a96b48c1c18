package io.github.grpcmiddleware.auth;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One shared daemon thread that ends token fetches which take too long, so a source that never
 * answers cannot hang the calls waiting for it. Created on first use.
 */
final class TokenTimeouts {

  private TokenTimeouts() {}

  static ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
    return Holder.TIMER.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
  }

  private static final class Holder {
    static final ScheduledThreadPoolExecutor TIMER = newTimer();

    private static ScheduledThreadPoolExecutor newTimer() {
      ScheduledThreadPoolExecutor timer =
          new ScheduledThreadPoolExecutor(
              1,
              runnable -> {
                Thread thread = new Thread(runnable, "grpc-middleware-token-timeout");
                thread.setDaemon(true);
                return thread;
              });
      timer.setRemoveOnCancelPolicy(true);
      return timer;
    }
  }
}
