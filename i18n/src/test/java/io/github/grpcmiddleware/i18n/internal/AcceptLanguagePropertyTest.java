package io.github.grpcmiddleware.i18n.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class AcceptLanguagePropertyTest {

  private static final List<Locale> SUPPORTED =
      Arrays.asList(
          Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE, Locale.TRADITIONAL_CHINESE, Locale.JAPANESE);
  private static final LocaleMatcher MATCHER = new LocaleMatcher(SUPPORTED, Locale.ENGLISH, 16);

  @Property(tries = 1000)
  void anyStringParsesAndResolvesToASupportedLocale(@ForAll String header) {
    check(header);
  }

  @Property(tries = 1000)
  void headerLikeStringsParseAndResolveToASupportedLocale(@ForAll("headerLike") String header) {
    check(header);
  }

  private static void check(String header) {
    List<AcceptLanguage.Range> ranges = AcceptLanguage.parse(header);
    assertThat(ranges.size()).isLessThanOrEqualTo(AcceptLanguage.MAX_RANGES);
    for (int i = 0; i < ranges.size(); i++) {
      AcceptLanguage.Range range = ranges.get(i);
      assertThat(range.weight()).isBetween(0, 1000);
      assertThat(range.tag()).matches("\\*|[a-z]{1,8}(-[a-z0-9]{1,8})*");
      if (i > 0) {
        assertThat(range.weight()).isLessThanOrEqualTo(ranges.get(i - 1).weight());
      }
    }
    assertThat(SUPPORTED).contains(MATCHER.match(header).locale());
  }

  /** Strings built from the pieces real headers are made of, glued in random order. */
  @Provide
  Arbitrary<String> headerLike() {
    Arbitrary<String> piece =
        Arbitraries.oneOf(
            Arbitraries.of(
                "en", "zh", "ja", "-", "_", "Hant", "TW", "CN", "*", ";", "q", "=", "q=", "0", "1",
                ".", "5", ",", " ", "\t", "x", "-x-", "\u00e9", "\u4e2d", "\r\n", ";q=0", ";q=1"),
            Arbitraries.strings().ofMaxLength(3));
    return Combinators.combine(piece.list().ofMaxSize(40), Arbitraries.integers().between(0, 3))
        .as((pieces, repeat) -> String.join("", pieces).repeat(repeat == 3 ? 50 : 1));
  }
}
