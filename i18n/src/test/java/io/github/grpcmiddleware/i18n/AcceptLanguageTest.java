package io.github.grpcmiddleware.i18n;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AcceptLanguageTest {

  private static List<String> parsed(String header) {
    return AcceptLanguage.parse(header).stream()
        .map(r -> r.tag() + ";" + r.weight())
        .collect(Collectors.toList());
  }

  @Test
  void ordersByWeightThenPosition() {
    assertThat(parsed("fr;q=0.5, de, en-GB;q=0.9, ja;q=0.5, ko"))
        .containsExactly("de;1000", "ko;1000", "en-gb;900", "fr;500", "ja;500");
  }

  @Test
  void keepsZeroWeightsLastAndWildcard() {
    assertThat(parsed("*;q=0.1, en;q=0, zh-Hant-TW"))
        .containsExactly("zh-hant-tw;1000", "*;100", "en;0");
  }

  @Test
  void acceptsEveryQValueForm() {
    assertThat(parsed("a;q=1, b;q=1., c;q=1.000, d;q=0, e;q=0., f;q=0.5, g;q=0.25, h;q=0.125"))
        .containsExactly("a;1000", "b;1000", "c;1000", "f;500", "g;250", "h;125", "d;0", "e;0");
  }

  @Test
  void toleratesSpacingCaseAndUnderscores() {
    assertThat(parsed("  EN_us \t; \tQ=0.7 ,\tzh-hans-CN"))
        .containsExactly("zh-hans-cn;1000", "en-us;700");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        ",,,",
        "en;q=",
        "en;q",
        "en;",
        "en;q=1.5",
        "en;q=-1",
        "en;q=0.0001",
        "en;q=1.001",
        "en;q=2",
        "en;q=.5",
        "en;q=0.5x",
        "en;q=0.5;q=0.4",
        "en;level=1",
        "en;q= 0.5",
        "en-",
        "-en",
        "--",
        "en--us",
        "e1",
        "1en",
        "toolonglanguage",
        "en-toolongsubtag",
        "en us",
        "en/us",
        "*-us",
        "**",
        "\u00e9n",
        "en\u0000",
        "zh-\u4e2d"
      })
  void skipsMalformedElements(String bad) {
    assertThat(AcceptLanguage.parse(bad)).isEmpty();
    assertThat(parsed(bad + ", de;q=0.3")).containsExactly("de;300");
  }

  @Test
  void nullAndEmptyGiveNothing() {
    assertThat(AcceptLanguage.parse(null)).isEmpty();
    assertThat(AcceptLanguage.parse("")).isEmpty();
  }

  @Test
  void examinesAtMostMaxRanges() {
    String header =
        IntStream.range(0, 300).mapToObj(i -> "x" + letters(i)).collect(Collectors.joining(","));
    List<AcceptLanguage.Range> ranges = AcceptLanguage.parse(header);
    assertThat(ranges).hasSize(AcceptLanguage.MAX_RANGES);
    assertThat(ranges.get(0).tag()).isEqualTo("x" + letters(0));
    // Malformed and empty elements count too, so they cannot push the work past the bound.
    String padded = "bad-,".repeat(AcceptLanguage.MAX_RANGES) + "de";
    assertThat(AcceptLanguage.parse(padded)).isEmpty();
  }

  @Test
  void readsOnlyTheFirstMaxLengthCharactersAndNeverCutsARange() {
    String filler = "en-us;q=0.1,".repeat(1000); // 12 000 characters
    assertThat(filler.length()).isGreaterThan(8 * 1024);
    assertThat(parsed("fr," + filler)).first().isEqualTo("fr;1000");
    // The range that straddles the limit must not become a shorter, different range.
    String prefix = "a".repeat(AcceptLanguage.MAX_LENGTH - 4);
    assertThat(AcceptLanguage.parse(prefix + ",zh-Hant-TW")).isEmpty();
    String huge = "x".repeat(8 * 1024);
    assertThat(AcceptLanguage.parse(huge)).isEmpty();
  }

  private static String letters(int i) {
    return "" + (char) ('a' + i / 26 % 26) + (char) ('a' + i % 26);
  }
}
