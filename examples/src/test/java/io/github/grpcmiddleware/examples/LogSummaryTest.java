package io.github.grpcmiddleware.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

class LogSummaryTest {
  private static final String LOGGER = "test.log-summary";
  private static final Duration INTERVAL = Duration.ofMillis(300);

  @RegisterExtension final LogCapture logs = LogCapture.forLogger(LOGGER).atLevel("TRACE");

  private final LogSummary summary = new LogSummary(LoggerFactory.getLogger(LOGGER), INTERVAL);

  @Test
  void theFirstEventIsWrittenTheRestAreCountedAndTheCountIsWrittenWhenTheIntervalEnds()
      throws Exception {
    for (int i = 0; i < 5; i++) {
      summary.event("k", Level.WARN, "k records", () -> "first k");
    }
    assertThat(logs.messages()).containsExactly("first k [repeats in the next 300 ms are counted]");

    List<LoggedEvent> lines = logs.awaitEvents(2, Duration.ofSeconds(5));
    assertThat(lines.get(1).message()).isEqualTo("4 more k records not logged in the last 300 ms");
    assertThat(lines).extracting(LoggedEvent::level).containsOnly("WARN");

    // A quiet interval closes the window: no line for it, and the next event is written again.
    Thread.sleep(3 * INTERVAL.toMillis());
    assertThat(logs.events()).hasSize(2);
    summary.event("k", Level.WARN, "k records", () -> "first k again");
    assertThat(logs.messages()).last().asString().startsWith("first k again");
  }

  @Test
  void eachKeyHasItsOwnWindowAndKeysAreBounded() throws Exception {
    summary.event("a", Level.ERROR, "a records", () -> "first a");
    summary.event("b", Level.INFO, "b records", () -> "first b");
    assertThat(logs.messages()).hasSize(2);
    for (int i = 0; i < LogSummary.MAX_KEYS + 10; i++) {
      String key = "key-" + i;
      summary.event(key, Level.WARN, key, () -> "first " + key);
    }
    // 76 keys: the first 64 have a window each, the other 12 share one (its first line written,
    // 11 counted).
    long firstLines = logs.messages().stream().filter(m -> m.startsWith("first ")).count();
    assertThat(firstLines).isEqualTo(LogSummary.MAX_KEYS + 1);
    LoggedEvent shared =
        logs.await(
            e -> e.message().contains("records of other kinds not logged"), Duration.ofSeconds(5));
    assertThat(shared.message()).startsWith("11 more records of other kinds");
  }

  @Test
  void aNonPositiveIntervalIsRejected() {
    assertThatThrownBy(() -> summary.setInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("interval: PT0S (expected: > 0)");
  }
}
