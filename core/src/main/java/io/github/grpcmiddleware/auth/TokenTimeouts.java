package io.github.grpcmiddleware.auth;

import io.github.grpcmiddleware.internal.LibraryThreads;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The library's token threads, shared by all credentials and created on first use: one timer thread
 * ({@code grpc-middleware-token-timeout}) that ends fetches which take too long, so a source that
 * never answers cannot hang the calls waiting for it, and starts fetches put off by the minimum
 * interval; and the fetch threads ({@code grpc-middleware-token-fetch}) token sources run on when
 * the application names no executor, so a fetch never runs on the caller's or a transport thread
 * (the executor grpc-java hands to credentials is one of those under {@code directExecutor()}).
 * They are {@link LibraryThreads} (no context class loader, an empty MDC, daemons) and end after
 * {@link #IDLE_MILLIS} without work, so a redeployed application keeps none of them.
 */
final class TokenTimeouts {

  /**
   * How long an idle token thread waits for work before it ends. Fetches are rare (about twice per
   * token lifetime), so the thread is usually made anew for each: that costs far less than the
   * fetch, and leaves no thread behind between them.
   */
  static final long IDLE_MILLIS = 5_000;

  private TokenTimeouts() {}

  static ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
    return Holder.TIMER.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * Returns the executor token sources run on by default: threads created as needed. Each
   * credentials object runs at most one fetch at a time, so a source that hangs holds one thread,
   * never one per call or per timeout period.
   */
  static Executor fetchExecutor() {
    return FetchHolder.FETCHES;
  }

  private static final class FetchHolder {
    static final ThreadPoolExecutor FETCHES =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            IDLE_MILLIS,
            TimeUnit.MILLISECONDS,
            new SynchronousQueue<>(),
            LibraryThreads.factory("grpc-middleware-token-fetch"));
  }

  private static final class Holder {
    static final ScheduledThreadPoolExecutor TIMER = newTimer();

    private static ScheduledThreadPoolExecutor newTimer() {
      ScheduledThreadPoolExecutor timer =
          new ScheduledThreadPoolExecutor(
              1, LibraryThreads.factory("grpc-middleware-token-timeout"));
      timer.setRemoveOnCancelPolicy(true); // an answered fetch leaves no task to wait for
      timer.setKeepAliveTime(IDLE_MILLIS, TimeUnit.MILLISECONDS);
      timer.allowCoreThreadTimeOut(true);
      return timer;
    }
  }
}
