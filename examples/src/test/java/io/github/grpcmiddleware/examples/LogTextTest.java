package io.github.grpcmiddleware.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {
  @Test
  void controlCharactersAreEscapedAndTheEscapedTextIsCutToTheBudget() {
    assertThat(LogText.escape("bob\nERROR forged")).isEqualTo("bob\\nERROR forged");
    // 1,000 line feeds would be 2,000 characters escaped: the text is cut after escaping.
    String escaped = LogText.escape("\n".repeat(1000));
    assertThat(escaped).startsWith("\\n\\n").endsWith("...(1000 chars)");
    assertThat(escaped.length()).isLessThanOrEqualTo(LogText.MAX_CHARS + 20);
    String controls = LogText.escape("\u0001".repeat(1000));
    assertThat(controls).startsWith("\\u0001");
    assertThat(controls.length()).isLessThanOrEqualTo(LogText.MAX_CHARS + 6 + 20);
    assertThat(LogText.escape("plain")).isEqualTo("plain");
    assertThat(LogText.escape("x".repeat(200))).isEqualTo("x".repeat(128) + "...(200 chars)");
  }
}
