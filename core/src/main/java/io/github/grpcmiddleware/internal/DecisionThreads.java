package io.github.grpcmiddleware.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * This class is internal and is hence not for public use. Its APIs are unstable and can change at
 * any time.
 *
 * <p>The library's threads for start decisions that wait (a shared limit asking Redis, an
 * authenticator asking an identity provider), when the application names none: one timer for their
 * timeouts, and a small pool on which a call goes on once its decision arrived, so that the service
 * never runs on the thread that completed the decision (a Redis client's I/O thread). Both are
 * {@link LibraryThreads} made on first use, and their threads end after 30 s without work, so that
 * a redeployed application keeps neither them nor its class loader.
 *
 * <p>One task per waiting call on the timer, cancelled (and removed) when the answer comes first:
 * next to a network round trip, that costs nothing measurable (LimitsBenchmark, docs/limits.md).
 */
public final class DecisionThreads {

  /** Threads of the default call executor: a few, since the application's work runs there. */
  static final int CALL_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

  private DecisionThreads() {}

  /**
   * Returns the shared timer of the decisions' timeouts: one daemon thread.
   *
   * @return the timer; never shut down
   */
  public static ScheduledExecutorService timer() {
    return Timer.INSTANCE;
  }

  /**
   * Returns the executor a call goes on on after a decision that waited, when the application named
   * none: {@link #CALL_THREADS} daemon threads, an unbounded queue.
   *
   * @return the executor; never shut down
   */
  public static Executor callExecutor() {
    return Calls.INSTANCE;
  }

  private static final class Timer {
    static final ScheduledExecutorService INSTANCE = create();

    private static ScheduledExecutorService create() {
      ScheduledThreadPoolExecutor timer =
          new ScheduledThreadPoolExecutor(
              1, LibraryThreads.factory("grpcmiddleware-decision-timeout"));
      timer.setRemoveOnCancelPolicy(true);
      timer.setKeepAliveTime(30, TimeUnit.SECONDS);
      timer.allowCoreThreadTimeOut(true);
      return timer;
    }
  }

  private static final class Calls {
    static final Executor INSTANCE = create();

    private static Executor create() {
      ThreadPoolExecutor pool =
          new ThreadPoolExecutor(
              CALL_THREADS,
              CALL_THREADS,
              30,
              TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(),
              LibraryThreads.factory("grpcmiddleware-call"));
      pool.allowCoreThreadTimeOut(true);
      return pool;
    }
  }
}
