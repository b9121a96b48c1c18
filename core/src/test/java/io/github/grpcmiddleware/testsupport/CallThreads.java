package io.github.grpcmiddleware.testsupport;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The threads of a test whose start decisions arrive later: a foreign thread that completes them
 * (named as a Redis client's or an identity provider's I/O thread would be), the server's executor
 * ({@code server-executor}) and the call executor the call goes on on ({@code call-executor}, one
 * thread, so that a task submitted after the resumed start runs after it).
 */
public final class CallThreads implements AutoCloseable {
  public final ScheduledExecutorService foreign;
  public final ExecutorService server =
      Executors.newFixedThreadPool(2, r -> new Thread(r, "server-executor"));
  public final ExecutorService call =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "call-executor"));

  /**
   * Creates the threads.
   *
   * @param foreignName the foreign thread's name, such as {@code store-io}
   */
  public CallThreads(String foreignName) {
    foreign = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, foreignName));
  }

  /** Waits until the call executor ran everything submitted before (a resumed start). */
  public void drainCallExecutor() throws Exception {
    call.submit(() -> {}).get(10, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    foreign.shutdownNow();
    server.shutdownNow();
    call.shutdownNow();
  }
}
