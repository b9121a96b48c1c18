package io.github.grpcmiddleware.i18n;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LocaleMatcherTest {

  private static final LocaleMatcher MATCHER =
      new LocaleMatcher(
          Arrays.asList(
              Locale.ENGLISH,
              Locale.forLanguageTag("en-GB"),
              Locale.SIMPLIFIED_CHINESE,
              Locale.TRADITIONAL_CHINESE,
              Locale.JAPANESE,
              Locale.forLanguageTag("fr-FR"),
              Locale.forLanguageTag("pt-BR")),
          Locale.ENGLISH,
          256);

  private static String match(String header) {
    return MATCHER.match(header).tag();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "ja | ja",
        "JA-jp | ja",
        "en-GB | en-GB",
        "en-AU | en",
        "en-GB-oxendict | en-GB",
        "ja-x-private | ja",
        "ja-Latn-JP-u-ca-japanese | ja",
        "de, ja;q=0.5 | ja",
        "fr;q=0.4, ja;q=0.8 | ja",
        "ja;q=0.5, zh-CN;q=0.5 | ja",
        "zh-CN | zh-CN",
        "zh | zh-CN",
        "zh-Hans | zh-CN",
        "zh-SG | zh-CN",
        "zh-Hans-SG | zh-CN",
        "zh-TW | zh-TW",
        "zh-HK | zh-TW",
        "zh-MO | zh-TW",
        "zh-Hant | zh-TW",
        "zh-Hant-HK | zh-TW",
        "fr | fr-FR",
        "fr-CA, en;q=0.5 | fr-FR",
        "pt | pt-BR",
        "pt-PT | pt-BR",
        "* | en",
        "de, * | en",
        "de, *;q=0.5, ja;q=0.4 | en",
        "ko | en",
      })
  void resolves(String header, String expected) {
    assertThat(match(header)).isEqualTo(expected);
  }

  private static LocaleMatcher matcher(String supportedTags) {
    List<Locale> supported = new ArrayList<>();
    for (String tag : supportedTags.split(",")) {
      supported.add(Locale.forLanguageTag(tag.trim()));
    }
    return new LocaleMatcher(supported, supported.get(0), 0);
  }

  @ParameterizedTest(name = "{1} against [{0}] -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        // supported, the first is the default | header | answer
        // Likely subtags (CLDR) say what a tag means: zh-HK is zh-Hant-HK, pt is pt-Latn-BR.
        "en, zh-Hant-TW, zh-Hant-HK | zh-HK | zh-Hant-HK",
        "en, zh-TW, zh-HK | zh-Hant-HK | zh-HK",
        "en, zh-TW, zh-HK | zh-Hant-HK-x-private | zh-HK",
        "en, pt-PT, pt-BR | pt | pt-BR",
        "en-GB, en-US | en | en-US",
        // Scripts never cross, in every language that is written in several.
        "en, sr-Latn, sr-Cyrl | sr | sr-Cyrl",
        "en, sr-Latn, sr-Cyrl | sr-RS | sr-Cyrl",
        "en, sr, sr-Latn | sr-ME | sr-Latn",
        "en, sr-Latn | sr-Cyrl | en",
        "en, sr-Cyrl | sr-Latn-RS | en",
        "en, sr-Latn | sr | en",
        "en, sr-Cyrl | sr-Latn | en",
        "en, zh | zh-Hant | en",
        "en, zh | zh-TW | en",
        // The rest of docs/i18n.md's table.
        "en, zh-CN, zh-TW | zh-MO | zh-TW",
        "en, pt-PT, pt-BR | pt-AO | pt-PT",
      })
  void scriptsAndRegionsAreCanonicalisedWithLikelySubtags(
      String supported, String header, String expected) {
    assertThat(matcher(supported).match(header).tag()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{1} against [{0}] -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        // RFC 9110 12.5.4: * stands for every language no other range names, at its own q.
        "fr, en | fr;q=0.1, * | en",
        "en, fr | *, en;q=0.5 | fr",
        "en, fr-FR, de | fr;q=0.2, en;q=0.1, * | de",
        "fr, en | en;q=0, fr;q=0.1, * | fr",
      })
  void theWildcardHonoursItsOwnQ(String supported, String header, String expected) {
    assertThat(matcher(supported).match(header).tag()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "en-GB, en;q=0 | en",
        "*, en;q=0 | zh-CN",
        "en;q=0, ja;q=0.1 | ja",
        "ja;q=0 | en",
        "ja;q=0, * | en",
        "zh-TW;q=0, zh-HK | en",
        "*;q=0 | en",
      })
  void zeroMeansNever(String header, String expected) {
    // "en-GB, en;q=0": en;q=0 excludes en-GB too, so nothing matches and the default answers.
    assertThat(match(header)).isEqualTo(expected);
  }

  @Test
  void everythingExcludedStillGivesTheDefault() {
    String all = "en;q=0, zh;q=0, ja;q=0, fr;q=0, pt;q=0, *";
    assertThat(match(all)).isEqualTo("en");
  }

  @Test
  void exactMatchOfBareChineseBeatsItsFamily() {
    LocaleMatcher matcher =
        new LocaleMatcher(
            Arrays.asList(Locale.CHINESE, Locale.SIMPLIFIED_CHINESE, Locale.TRADITIONAL_CHINESE),
            Locale.CHINESE,
            0);
    assertThat(matcher.match("zh").tag()).isEqualTo("zh");
    assertThat(matcher.match("zh-HK").tag()).isEqualTo("zh-TW");
    assertThat(matcher.match("zh-SG").tag()).isEqualTo("zh-CN");
  }

  @Test
  void scriptFamiliesDoNotCross() {
    LocaleMatcher matcher =
        new LocaleMatcher(
            Arrays.asList(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE), Locale.ENGLISH, 0);
    assertThat(matcher.match("zh-TW").tag()).isEqualTo("en");
    assertThat(matcher.match("zh-TW, zh-CN;q=0.5").tag()).isEqualTo("zh-CN");
  }

  @Test
  void defaultIsAlwaysSupported() {
    LocaleMatcher matcher = new LocaleMatcher(Arrays.asList(Locale.JAPANESE), Locale.GERMAN, 0);
    assertThat(matcher.supported())
        .extracting(LocaleMatcher.SupportedLocale::tag)
        .containsExactly("ja", "de");
    assertThat(matcher.match("de-AT").tag()).isEqualTo("de");
    assertThat(matcher.match(null).tag()).isEqualTo("de");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        ";q=",
        "en;q=1.5",
        "ja;q=1.5",
        "ja;q=-1",
        "ja;q=0.0001",
        "ja-",
        "--",
        ",,,",
        "\u0000",
        "ja;;q=1",
        "zh-\u4e2d\u6587"
      })
  void malformedGivesTheDefault(String header) {
    assertThat(match(header)).isEqualTo("en");
    assertThat(match(header + ", ja;q=0.2")).isEqualTo("ja");
  }

  @Test
  void hugeHeadersAreBounded() {
    String threeHundred =
        IntStream.range(0, 300).mapToObj(i -> "de-x" + i).collect(Collectors.joining(", "));
    assertThat(match(threeHundred + ", ja")).isEqualTo("en"); // ja is past the range limit
    assertThat(match("ja, " + threeHundred)).isEqualTo("ja");
    String eightKib = "ja;q=0.5," + "x".repeat(8 * 1024);
    assertThat(match(eightKib)).isEqualTo("ja");
    assertThat(match("x".repeat(8 * 1024))).isEqualTo("en");
  }

  @Test
  void cacheStaysBoundedAndCorrect() {
    LocaleMatcher matcher =
        new LocaleMatcher(Arrays.asList(Locale.ENGLISH, Locale.JAPANESE), Locale.ENGLISH, 4);
    for (int i = 0; i < 100; i++) {
      assertThat(matcher.match("ja;q=0." + i % 10 + ", xx-" + i).tag())
          .isEqualTo(i % 10 == 0 ? "en" : "ja");
      assertThat(matcher.match("ja").tag()).isEqualTo("ja");
    }
  }
}
