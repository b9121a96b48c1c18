package io.github.grpcmiddleware.auth;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One shared daemon thread that ends token fetches which take too long, so a source that never
 * answers cannot hang the calls waiting for it; and the shared daemon threads token sources run on
 * when the application names no executor, so a fetch never runs on a transport thread (the executor
 * grpc-java hands to credentials is the caller's or a transport thread under {@code
 * directExecutor()}). Created on first use.
 */
final class TokenTimeouts {

  private TokenTimeouts() {}

  static ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
    return Holder.TIMER.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * Returns the executor token sources run on by default: daemon threads, created as needed and
   * ended after a minute idle. Each credentials object runs at most one fetch at a time, so a
   * source that hangs holds one thread, never one per call or per timeout period.
   */
  static Executor fetchExecutor() {
    return FetchHolder.FETCHES;
  }

  private static final class FetchHolder {
    static final ThreadPoolExecutor FETCHES = newFetches();

    private static ThreadPoolExecutor newFetches() {
      ThreadPoolExecutor pool =
          new ThreadPoolExecutor(
              0,
              Integer.MAX_VALUE,
              60,
              TimeUnit.SECONDS,
              new SynchronousQueue<>(),
              runnable -> {
                Thread thread = new Thread(runnable, "grpc-middleware-token-fetch");
                thread.setDaemon(true);
                return thread;
              });
      return pool;
    }
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
