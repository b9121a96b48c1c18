package io.github.grpcmiddleware.testsupport;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.search.Search;
import java.time.Duration;

/**
 * Reads and waits for the timers a call's end records. The end records a call's timer a moment
 * after the client has its status (and after the call's access-log line): a test waits for the
 * count it expects before it asserts. A {@link Search} is asked again on every read, so one search
 * sees timers registered after it was made.
 */
public final class CallTimers {
  private CallTimers() {}

  /** The calls the timers {@code search} finds have counted, together. */
  public static long count(Search search) {
    return search.timers().stream().mapToLong(Timer::count).sum();
  }

  /**
   * Waits until the timers {@code search} finds have counted at least {@code count} calls, or
   * {@code timeout} has passed; returns what they counted then.
   */
  public static long await(Search search, long count, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long counted = count(search);
    while (counted < count && System.nanoTime() < deadline) {
      Thread.sleep(5);
      counted = count(search);
    }
    return counted;
  }
}
