package io.github.grpcmiddleware.i18n;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Any string, and strings glued from the pieces real headers are made of, parse into bounded,
 * well-formed, ordered ranges and resolve to a supported locale: 1,000 seeded cases each.
 *
 * <p>The first case's seed is the run's base seed, random per run unless {@code
 * -Dgrpcmiddleware.seed=N} is given; the others follow from it. A failing case has its seed in the
 * message, so {@code -Dgrpcmiddleware.seed=<that seed>} replays it as the first case.
 */
class AcceptLanguagePropertyTest {

  private static final List<Locale> SUPPORTED =
      Arrays.asList(
          Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE, Locale.TRADITIONAL_CHINESE, Locale.JAPANESE);
  private static final LocaleMatcher MATCHER = new LocaleMatcher(SUPPORTED, Locale.ENGLISH, 16);

  private static final String[] PIECES = {
    "en", "zh", "ja", "-", "_", "Hant", "TW", "CN", "*", ";", "q", "=", "q=", "0", "1", ".", "5",
    ",", " ", "\t", "x", "-x-", "\u00e9", "\u4e2d", "\r\n", ";q=0", ";q=1"
  };

  static LongStream seeds() {
    String configured = System.getProperty("grpcmiddleware.seed");
    long base = configured != null ? Long.parseLong(configured.trim()) : new Random().nextLong();
    System.out.println("property seeds from -Dgrpcmiddleware.seed=" + base);
    SplittableRandom next = new SplittableRandom(base);
    return LongStream.concat(LongStream.of(base), LongStream.generate(next::nextLong)).limit(1000);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void anyStringParsesAndResolvesToASupportedLocale(long seed) {
    check(seed, string(new Random(seed), 255));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void headerLikeStringsParseAndResolveToASupportedLocale(long seed) {
    check(seed, headerLike(new Random(seed)));
  }

  private static void check(long seed, String header) {
    try {
      check(header);
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(
          "case seed " + seed + " (replay: -Dgrpcmiddleware.seed=" + seed + "): " + e.getMessage(),
          e);
    }
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

  /**
   * Up to {@code max} characters (short ones a quarter of the time): ASCII, whitespace and control
   * characters, and any other character but a surrogate.
   */
  private static String string(Random random, int max) {
    int length = random.nextInt(4) == 0 ? random.nextInt(3) : random.nextInt(max + 1);
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      switch (random.nextInt(4)) {
        case 0:
          text.append((char) random.nextInt(0x80));
          break;
        case 1:
          text.append(" \t\r\n\u0000\u007f\u00a0\u2028\ufeff\uffff".charAt(random.nextInt(10)));
          break;
        default:
          char c;
          do {
            c = (char) random.nextInt(0x10000);
          } while (Character.isSurrogate(c));
          text.append(c);
      }
    }
    return text.toString();
  }

  /**
   * Up to 40 pieces glued in random order, each a piece of a real header or up to 3 random
   * characters; a quarter of the time the whole is repeated 50 times.
   */
  private static String headerLike(Random random) {
    int count = random.nextInt(41);
    StringBuilder glued = new StringBuilder();
    for (int i = 0; i < count; i++) {
      glued.append(
          random.nextBoolean() ? PIECES[random.nextInt(PIECES.length)] : string(random, 3));
    }
    return glued.toString().repeat(random.nextInt(4) == 3 ? 50 : 1);
  }
}
