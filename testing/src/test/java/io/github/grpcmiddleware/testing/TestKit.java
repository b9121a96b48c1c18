package io.github.grpcmiddleware.testing;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/** Runs fixture classes with JUnit's own test kit and extracts what they threw. */
final class TestKit {
  private TestKit() {}

  static EngineExecutionResults run(Class<?> fixture) {
    return EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture)).execute();
  }

  /** Every throwable of failed tests and containers, in event order. */
  static List<Throwable> failures(EngineExecutionResults results) {
    return results.allEvents().failed().stream()
        .map(TestKit::throwable)
        .collect(Collectors.toList());
  }

  private static Throwable throwable(Event event) {
    return event
        .getPayload(TestExecutionResult.class)
        .flatMap(TestExecutionResult::getThrowable)
        .orElseThrow();
  }
}
