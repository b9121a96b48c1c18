package io.github.grpcmiddleware.testing;

import static io.github.grpcmiddleware.testing.LogCaptureTest.logback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import ch.qos.logback.classic.Level;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.slf4j.LoggerFactory;

/**
 * LogCapture under JUnit's parallel execution ({@code junit.jupiter.execution.parallel.enabled},
 * methods concurrent): fixture classes run through JUnit's own engine with two tests at the same
 * time, in the order the gates below force: test {@code b} attaches only after test {@code a}
 * logged its first line, and {@code b} logs its last line only after {@code a} has ended.
 */
class LogCaptureParallelTest {
  static final List<String> SEEN = new CopyOnWriteArrayList<>();
  static volatile CountDownLatch aLoggedFirst = new CountDownLatch(1);
  static volatile CountDownLatch bStarted = new CountDownLatch(1);
  static volatile CountDownLatch aEnded = new CountDownLatch(1);
  static volatile CountDownLatch bRefused = new CountDownLatch(1);

  private static EngineExecutionResults runConcurrently(Class<?> fixture) {
    SEEN.clear();
    aLoggedFirst = new CountDownLatch(1);
    bStarted = new CountDownLatch(1);
    aEnded = new CountDownLatch(1);
    bRefused = new CountDownLatch(1);
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
        .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
        .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
        .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "2")
        .selectors(selectClass(fixture))
        .execute();
  }

  static void await(CountDownLatch latch, String what) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("timed out waiting until " + what + " (not run concurrently?)");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * Orders the two tests: registered before the capture ({@code @Order(1)}), so its {@code
   * beforeEach} runs first (b waits for a's first line) and its {@code afterEach} last (a's capture
   * has detached when it signals).
   */
  static final class Gates implements BeforeEachCallback, AfterEachCallback {
    @Override
    public void beforeEach(ExtensionContext context) {
      if (context.getRequiredTestMethod().getName().equals("b")) {
        await(aLoggedFirst, "a logged its first line");
      }
    }

    @Override
    public void afterEach(ExtensionContext context) {
      if (context.getRequiredTestMethod().getName().equals("a")) {
        aEnded.countDown();
      }
    }
  }

  /**
   * The lines test {@code name} logged: each test logs to its own child logger of the captured one,
   * since a capture sees every line of its logger, also those of a test running at the same time.
   */
  static String own(LogCapture logs, String name) {
    return name
        + ": "
        + logs.events().stream()
            .filter(e -> e.loggerName().endsWith("." + name))
            .map(LoggedEvent::message)
            .toList();
  }

  static final String STATIC_LOGGER = "grpcmiddleware.test.parallel.static";

  @Test
  void aStaticCaptureKeepsEachConcurrentTestsOwnEvents() {
    EngineExecutionResults results = runConcurrently(StaticCaptureFixture.class);

    assertThat(TestKit.failures(results)).isEmpty();
    results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
    assertThat(SEEN).containsExactlyInAnyOrder("a: [a first, a second]", "b: [b first, b second]");
    assertThat(logback(STATIC_LOGGER).iteratorForAppenders().hasNext()).isFalse();
  }

  @Execution(ExecutionMode.CONCURRENT)
  static class StaticCaptureFixture {
    @Order(1)
    @RegisterExtension
    static final Gates gates = new Gates();

    @Order(2)
    @RegisterExtension
    static final LogCapture logs = LogCapture.forLogger(STATIC_LOGGER);

    @Test
    void a() {
      LoggerFactory.getLogger(STATIC_LOGGER + ".a").info("a first");
      aLoggedFirst.countDown();
      await(bStarted, "b started");
      LoggerFactory.getLogger(STATIC_LOGGER + ".a").info("a second");
      SEEN.add(own(logs, "a"));
    }

    @Test
    void b() {
      bStarted.countDown();
      LoggerFactory.getLogger(STATIC_LOGGER + ".b").info("b first");
      await(aEnded, "a ended");
      LoggerFactory.getLogger(STATIC_LOGGER + ".b").info("b second");
      SEEN.add(own(logs, "b"));
    }
  }

  static final String LEVEL_LOGGER = "grpcmiddleware.test.parallel.level";

  @Test
  void aLevelSetByConcurrentTestsHoldsUntilTheLastEndsAndTheOldOneComesBack() {
    logback(LEVEL_LOGGER).setLevel(Level.WARN);

    EngineExecutionResults results = runConcurrently(LevelFixture.class);

    assertThat(logback(LEVEL_LOGGER).getLevel()).isEqualTo(Level.WARN);
    assertThat(logback(LEVEL_LOGGER).iteratorForAppenders().hasNext()).isFalse();
    assertThat(TestKit.failures(results)).isEmpty();
    results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
    assertThat(SEEN).containsExactlyInAnyOrder("a: [a debug]", "b: [b debug, b late debug]");
  }

  @Execution(ExecutionMode.CONCURRENT)
  static class LevelFixture {
    @Order(1)
    @RegisterExtension
    final Gates gates = new Gates();

    @Order(2)
    @RegisterExtension
    final LogCapture logs = LogCapture.forLogger(LEVEL_LOGGER).atLevel("DEBUG");

    @Test
    void a() {
      LoggerFactory.getLogger(LEVEL_LOGGER + ".a").debug("a debug");
      aLoggedFirst.countDown();
      await(bStarted, "b started");
      SEEN.add(own(logs, "a"));
    }

    @Test
    void b() {
      bStarted.countDown();
      LoggerFactory.getLogger(LEVEL_LOGGER + ".b").debug("b debug");
      await(aEnded, "a ended");
      // a's capture has detached; the logger must still be at DEBUG for b.
      LoggerFactory.getLogger(LEVEL_LOGGER + ".b").debug("b late debug");
      SEEN.add(own(logs, "b"));
    }
  }

  static final String CONFLICT_LOGGER = "grpcmiddleware.test.parallel.conflict";

  @Test
  void aConflictingLevelWhileAnotherTestHoldsTheLoggerIsRefusedClearly() {
    logback(CONFLICT_LOGGER).setLevel(Level.WARN);

    EngineExecutionResults results = runConcurrently(ConflictFixture.class);

    results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(1).failed(1));
    assertThat(TestKit.failures(results))
        .singleElement()
        .satisfies(
            refused ->
                assertThat(refused)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage(
                        "LogCapture: logger \""
                            + CONFLICT_LOGGER
                            + "\" is at DEBUG for 1 other test running at the same time; this"
                            + " test asks for OFF. Tests that run concurrently must capture a"
                            + " logger at the same level: give them the same atLevel(...), or"
                            + " keep them apart with @ResourceLock(\""
                            + CONFLICT_LOGGER
                            + "\")"));
    assertThat(SEEN).containsExactly("a: [a debug, a late debug]");
    assertThat(logback(CONFLICT_LOGGER).getLevel()).isEqualTo(Level.WARN);
  }

  @Execution(ExecutionMode.CONCURRENT)
  static class ConflictFixture {
    @Order(1)
    @RegisterExtension
    final Gates gates = new Gates();

    @Order(2)
    @RegisterExtension
    final LogCapture logs = LogCapture.forLogger(CONFLICT_LOGGER).atLevel("DEBUG");

    @Test
    void a() {
      LoggerFactory.getLogger(CONFLICT_LOGGER + ".a").debug("a debug");
      aLoggedFirst.countDown();
      await(bStarted, "b started");
      await(bRefused, "b was refused");
      LoggerFactory.getLogger(CONFLICT_LOGGER + ".a").debug("a late debug");
      SEEN.add(own(logs, "a"));
    }

    @Test
    void b() {
      bStarted.countDown();
      try {
        logs.setLevel("OFF");
      } finally {
        bRefused.countDown();
      }
    }
  }
}
