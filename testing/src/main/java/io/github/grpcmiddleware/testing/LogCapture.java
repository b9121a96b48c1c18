package io.github.grpcmiddleware.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that captures log events of one logger (and its children) during each test,
 * through logback.
 *
 * <pre>{@code
 * @RegisterExtension final LogCapture logs = LogCapture.forLogger("io.github.grpcmiddleware");
 *
 * @Test void logsOnce() {
 *   ...
 *   LoggedEvent line = logs.await(e -> e.level().equals("ERROR"), Duration.ofSeconds(5));
 *   assertThat(line.mdc()).containsKey("traceId");
 * }
 * }</pre>
 *
 * <p>An appender is attached before each test and detached after it (on a static or an instance
 * field alike); events are copied when logged (level, logger, formatted message, MDC, throwable,
 * key-value pairs, thread), so they stay right after the logging thread moves on. With {@link
 * #atLevel(String)} the logger's level is set for each test, with {@link #setLevel(String)} changed
 * in the middle of one, and restored afterwards. Events logged on server threads may arrive after
 * the client has its response: use {@link #await} or {@link #awaitEvents}. Register one field per
 * logger to capture several.
 *
 * <p>Safe under JUnit's parallel execution ({@code junit.jupiter.execution.parallel.enabled},
 * methods or classes concurrent), also on a static field: each test has its own appender and its
 * own events, found by the thread that runs the test (JUnit runs a test's {@code @BeforeEach}, body
 * and {@code @AfterEach} on one thread; from another thread the methods read the one test running,
 * and fail clearly when several are). A capture sees every event of its logger, so tests that run
 * at the same time and log to the same logger see each other's lines: give each its own logger, or
 * look for something of its own (a trace id, a message). Tests running at the same time share the
 * logger's level: they must ask for the same one ({@code atLevel}, {@code setLevel}, or neither),
 * else the later one fails with an {@link IllegalStateException} saying so; the level from before
 * comes back when the last of them ends.
 *
 * <p>Needs {@code ch.qos.logback:logback-classic} as the SLF4J backend (an optional dependency of
 * this module; logback 1.5 runs on Java 11+). This class is thread-safe.
 */
public final class LogCapture implements BeforeEachCallback, AfterEachCallback {
  private static final List<String> EVENT_LEVELS =
      Collections.unmodifiableList(Arrays.asList("TRACE", "DEBUG", "INFO", "WARN", "ERROR"));

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(LogCapture.class);

  private final String loggerName;
  private final @Nullable String level;

  /** The tests capturing now, by the thread that runs each. */
  private final Map<Thread, TestCapture> running = new ConcurrentHashMap<>();

  /** The last test that ended, for reading its events afterwards. */
  private volatile @Nullable TestCapture last;

  private LogCapture(String loggerName, @Nullable String level) {
    LogbackAttachment.checkAvailable();
    this.loggerName = loggerName;
    this.level = level;
  }

  /**
   * Captures the events of the root logger, that is every event that passes its logger's level.
   *
   * @return the extension; never null
   * @throws IllegalStateException when logback-classic is not on the class path
   */
  public static LogCapture forRootLogger() {
    return new LogCapture("ROOT", null);
  }

  /**
   * Captures the events of a logger and its children.
   *
   * @param loggerName the logger name, for example a package; not null, not empty
   * @return the extension; never null
   * @throws IllegalArgumentException when the name is empty
   * @throws IllegalStateException when logback-classic is not on the class path
   */
  public static LogCapture forLogger(String loggerName) {
    Objects.requireNonNull(loggerName, "loggerName");
    if (loggerName.isEmpty()) {
      throw new IllegalArgumentException("loggerName: \"\" (expected: not empty)");
    }
    return new LogCapture(loggerName, null);
  }

  /**
   * Captures the events of the logger named after a class and its children.
   *
   * @param type the class; not null
   * @return the extension; never null
   * @throws IllegalStateException when logback-classic is not on the class path
   */
  public static LogCapture forLogger(Class<?> type) {
    Objects.requireNonNull(type, "type");
    return new LogCapture(type.getName(), null);
  }

  /**
   * Returns a capture of the same logger that sets its level during each test (restoring it
   * afterwards), for example {@code "DEBUG"} to see the library's per-call events.
   *
   * @param levelName {@code TRACE}, {@code DEBUG}, {@code INFO}, {@code WARN}, {@code ERROR},
   *     {@code ALL} or {@code OFF}, case-insensitive; not null
   * @return a new extension; never null
   * @throws IllegalArgumentException when the name is not a level
   */
  public LogCapture atLevel(String levelName) {
    return new LogCapture(loggerName, levelOf(levelName));
  }

  /**
   * Sets the captured logger's level now, in the middle of the current test, as an operator would
   * at run time (for example {@code "OFF"} to check that nothing is logged, or work is skipped,
   * when the logger is off). After the test the logger gets back the level it had before the test,
   * as with {@link #atLevel(String)}; the next test starts from this capture's configuration again.
   *
   * @param levelName {@code TRACE}, {@code DEBUG}, {@code INFO}, {@code WARN}, {@code ERROR},
   *     {@code ALL} or {@code OFF}, case-insensitive; not null
   * @throws IllegalArgumentException when the name is not a level
   * @throws IllegalStateException when called outside a test (before the extension attached its
   *     appender or after it detached it)
   */
  public void setLevel(String levelName) {
    String upper = levelOf(levelName);
    TestCapture test = current("setLevel");
    if (test == null || test.ended) {
      throw new IllegalStateException(
          "LogCapture.setLevel: no test is running on logger \""
              + loggerName
              + "\" (call it from a test, a @BeforeEach or an @AfterEach method)");
    }
    test.attachment.setLevel(upper);
  }

  private static String levelOf(String levelName) {
    Objects.requireNonNull(levelName, "levelName");
    String upper = levelName.toUpperCase(Locale.ROOT);
    if (!LogbackAttachment.isLevel(upper)) {
      throw new IllegalArgumentException(
          "level: " + levelName + " (expected: TRACE, DEBUG, INFO, WARN, ERROR, ALL or OFF)");
    }
    return upper;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    List<LoggedEvent> events = new CopyOnWriteArrayList<>();
    TestCapture test = new TestCapture(LogbackAttachment.attach(loggerName, level, events), events);
    context.getStore(NAMESPACE).put(this, test);
    TestCapture stale = running.put(Thread.currentThread(), test);
    if (stale != null) {
      stale.end();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    TestCapture test = context.getStore(NAMESPACE).remove(this, TestCapture.class);
    if (test == null) {
      return; // beforeEach failed: nothing is attached
    }
    running.values().remove(test);
    last = test;
    test.end();
  }

  /**
   * The capture of the test the calling thread runs; else of the one test running; else of the last
   * test that ended; null before the first test.
   */
  private @Nullable TestCapture current(String method) {
    TestCapture mine = running.get(Thread.currentThread());
    if (mine != null) {
      return mine;
    }
    List<TestCapture> all = new ArrayList<>(running.values());
    if (all.size() == 1) {
      return all.get(0);
    }
    if (all.isEmpty()) {
      return last;
    }
    throw new IllegalStateException(
        "LogCapture."
            + method
            + ": "
            + all.size()
            + " tests capture logger \""
            + loggerName
            + "\" at the same time and thread \""
            + Thread.currentThread().getName()
            + "\" runs none of them; call it from the test's own thread");
  }

  private List<LoggedEvent> currentEvents(String method) {
    TestCapture test = current(method);
    return test == null ? Collections.<LoggedEvent>emptyList() : test.events;
  }

  /** One test's appender and events. */
  private static final class TestCapture {
    final LogbackAttachment attachment;
    final List<LoggedEvent> events;
    volatile boolean ended;

    TestCapture(LogbackAttachment attachment, List<LoggedEvent> events) {
      this.attachment = attachment;
      this.events = events;
    }

    void end() {
      if (!ended) {
        ended = true;
        attachment.detach();
      }
    }
  }

  /**
   * Returns the events captured in the current test so far, oldest first.
   *
   * @return an unmodifiable copy; never null
   */
  public List<LoggedEvent> events() {
    return Collections.unmodifiableList(new ArrayList<>(currentEvents("events")));
  }

  /**
   * Returns the events captured in the current test so far at exactly one level, oldest first.
   *
   * @param levelName {@code TRACE}, {@code DEBUG}, {@code INFO}, {@code WARN} or {@code ERROR},
   *     case-insensitive; not null
   * @return an unmodifiable copy; never null
   * @throws IllegalArgumentException when the name is not the level of an event
   */
  public List<LoggedEvent> events(String levelName) {
    Objects.requireNonNull(levelName, "levelName");
    String upper = levelName.toUpperCase(Locale.ROOT);
    if (!EVENT_LEVELS.contains(upper)) {
      throw new IllegalArgumentException(
          "level: " + levelName + " (expected: TRACE, DEBUG, INFO, WARN or ERROR)");
    }
    List<LoggedEvent> atLevel = new ArrayList<>();
    for (LoggedEvent event : currentEvents("events")) {
      if (event.level().equals(upper)) {
        atLevel.add(event);
      }
    }
    return Collections.unmodifiableList(atLevel);
  }

  /**
   * Returns the formatted messages captured in the current test so far, oldest first.
   *
   * @return an unmodifiable copy; never null
   */
  public List<String> messages() {
    List<String> messages = new ArrayList<>();
    for (LoggedEvent event : currentEvents("messages")) {
      messages.add(event.message());
    }
    return Collections.unmodifiableList(messages);
  }

  /**
   * Waits until an event matching the condition has been captured and returns the first such.
   *
   * @param condition the condition; not null
   * @param timeout how long to wait; not null
   * @return the first matching event; never null
   * @throws AssertionError when none arrives in time; the message lists every captured event
   */
  public LoggedEvent await(Predicate<? super LoggedEvent> condition, Duration timeout) {
    Objects.requireNonNull(condition, "condition");
    Objects.requireNonNull(timeout, "timeout");
    List<LoggedEvent> events = currentEvents("await");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (LoggedEvent event : events) {
        if (condition.test(event)) {
          return event;
        }
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new AssertionError(
            "LogCapture: no matching event on logger \""
                + loggerName
                + "\" within "
                + timeout.toMillis()
                + " ms; captured: "
                + describe(new ArrayList<>(events)));
      }
      pause();
    }
  }

  /**
   * Waits until {@code count} events have been captured, for example the one access-log line per
   * call that server threads write after the client has its response, and returns them; fails when
   * more than {@code count} were captured by then. Events that arrive later are not waited for.
   *
   * @param count how many events to expect; at least 1
   * @param timeout how long to wait; not null
   * @return an unmodifiable copy of the {@code count} events, oldest first; never null
   * @throws IllegalArgumentException when {@code count} is less than 1
   * @throws AssertionError when fewer arrive in time or more were captured; the message lists every
   *     captured event
   */
  public List<LoggedEvent> awaitEvents(int count, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (count < 1) {
      throw new IllegalArgumentException("count: " + count + " (expected: > 0)");
    }
    List<LoggedEvent> events = currentEvents("awaitEvents");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<LoggedEvent> captured = Collections.unmodifiableList(new ArrayList<>(events));
      if (captured.size() == count) {
        return captured;
      }
      if (captured.size() > count || System.nanoTime() - deadline >= 0) {
        throw new AssertionError(
            "LogCapture: expected "
                + count
                + " events on logger \""
                + loggerName
                + "\" within "
                + timeout.toMillis()
                + " ms, captured "
                + captured.size()
                + ": "
                + describe(captured));
      }
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for a log event", e);
    }
  }

  /** Forgets the events captured so far in the current test. */
  public void clear() {
    TestCapture test = current("clear");
    if (test != null) {
      test.events.clear();
    }
  }

  private static String describe(List<LoggedEvent> captured) {
    if (captured.isEmpty()) {
      return "(nothing)";
    }
    StringBuilder text = new StringBuilder();
    for (LoggedEvent event : captured) {
      text.append("\n  ").append(event);
    }
    return text.toString();
  }
}
