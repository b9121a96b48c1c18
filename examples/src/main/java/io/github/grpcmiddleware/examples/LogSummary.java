package io.github.grpcmiddleware.examples;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Turns a flood of similar log events into at most one line per key and interval: the first event
 * of a quiet key is written at once; the ones that follow within the interval are only counted, and
 * when the interval ends one line says how many there were (then the next interval starts, so a
 * steady flood writes one line per interval). The count is written even when the flood stops, by a
 * timer, not only when the next event comes.
 *
 * <p>Keys are bounded ({@link #MAX_KEYS}); events of further keys share one. Callers pass text that
 * is already escaped. This class is thread-safe.
 */
final class LogSummary {
  static final int MAX_KEYS = 64;
  private static final String OTHER_KEY = "(other)";

  // One daemon thread for every summary in the JVM, gone after a second without work.
  private static final ScheduledThreadPoolExecutor TIMER = newTimer();

  private final Logger logger;
  private volatile long intervalNanos;
  private final Map<String, Window> windows = new HashMap<>(); // guarded by this

  LogSummary(Logger logger, Duration interval) {
    this.logger = Objects.requireNonNull(logger, "logger");
    setInterval(interval);
  }

  /** Changes the interval for the windows that start from now on. */
  void setInterval(Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
    }
    this.intervalNanos = interval.toNanos();
  }

  Duration interval() {
    return Duration.ofNanos(intervalNanos);
  }

  /**
   * Records one event: writes {@code firstLine} when the key is quiet, else counts the event for
   * the line that ends the key's window, which names it by {@code label}.
   *
   * @param key what makes events similar
   * @param level the level of both lines
   * @param label a short escaped description for the summary line
   * @param firstLine the escaped line written for the first event (computed only then)
   */
  void event(String key, Level level, String label, Supplier<String> firstLine) {
    synchronized (this) {
      String k = windows.containsKey(key) || windows.size() < MAX_KEYS ? key : OTHER_KEY;
      Window w = windows.get(k);
      if (w != null) {
        w.suppressed++;
        return;
      }
      w = new Window(k, level, k.equals(key) ? label : "records of other kinds", seconds());
      windows.put(k, w);
      schedule(w);
    }
    log(level, firstLine.get() + " [repeats in the next " + seconds() + " are counted]");
  }

  private void schedule(Window w) {
    long delay = intervalNanos;
    w.seconds = seconds();
    var unused = TIMER.schedule(() -> flush(w), delay, TimeUnit.NANOSECONDS);
  }

  private void flush(Window w) {
    long suppressed;
    String seconds;
    synchronized (this) {
      suppressed = w.suppressed;
      seconds = w.seconds;
      if (suppressed == 0) {
        windows.remove(w.key);
        return;
      }
      w.suppressed = 0;
      schedule(w); // a flood that goes on gets one line per interval
    }
    log(w.level, suppressed + " more " + w.label + " not logged in the last " + seconds);
  }

  private String seconds() {
    long millis = TimeUnit.NANOSECONDS.toMillis(intervalNanos);
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }

  private void log(Level level, String line) {
    switch (level) {
      case ERROR -> logger.error("{}", line);
      case WARN -> logger.warn("{}", line);
      case INFO -> logger.info("{}", line);
      case DEBUG -> logger.debug("{}", line);
      default -> logger.trace("{}", line);
    }
  }

  private static ScheduledThreadPoolExecutor newTimer() {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, "example-log-summary");
              thread.setDaemon(true);
              return thread;
            });
    timer.setKeepAliveTime(1, TimeUnit.SECONDS);
    timer.allowCoreThreadTimeOut(true);
    return timer;
  }

  private static final class Window {
    final String key;
    final Level level;
    final String label;
    long suppressed;
    String seconds;

    Window(String key, Level level, String label, String seconds) {
      this.key = key;
      this.level = level;
      this.label = label;
      this.seconds = seconds;
    }
  }
}
