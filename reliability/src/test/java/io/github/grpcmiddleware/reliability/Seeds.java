package io.github.grpcmiddleware.reliability;

import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

/**
 * Seeded random cases for the property tests, in plain JUnit 5: a property is a
 * {@code @ParameterizedTest(name = "seed {0}")} over {@code @MethodSource} {@link #of(int)}, and
 * each case builds its input from {@code new Random(seed)}.
 *
 * <p>The first case's seed is the run's base seed, random per run unless {@code
 * -Dgrpcmiddleware.seed=N} is given; the others follow from it. A case run through {@link
 * #replayable} fails with its seed in the message, so {@code -Dgrpcmiddleware.seed=<that seed>}
 * replays it as the first case.
 */
final class Seeds {
  static final String PROPERTY = "grpcmiddleware.seed";

  private Seeds() {}

  /** Returns {@code tries} seeds, the first one the base seed (printed). */
  static LongStream of(int tries) {
    String configured = System.getProperty(PROPERTY);
    long base = configured != null ? Long.parseLong(configured.trim()) : new Random().nextLong();
    System.out.println("property seeds from -D" + PROPERTY + "=" + base);
    SplittableRandom next = new SplittableRandom(base);
    return LongStream.concat(LongStream.of(base), LongStream.generate(next::nextLong)).limit(tries);
  }

  /** Runs one case; a failure names the case's seed and how to replay it. */
  static void replayable(long seed, Runnable property) {
    try {
      property.run();
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(
          "case seed " + seed + " (replay: -D" + PROPERTY + "=" + seed + "): " + e.getMessage(), e);
    }
  }

  /** Picks a character. */
  interface Chars {
    char next(Random random);
  }

  /** Any character but a surrogate: ASCII, control characters and the rest of the BMP. */
  static final Chars ANY =
      random -> {
        switch (random.nextInt(4)) {
          case 0:
            return (char) random.nextInt(0x80);
          case 1:
            return " \t\r\n\u0000\u007f\u00a0\u2028\ufeff\uffff".charAt(random.nextInt(10));
          default:
            char c;
            do {
              c = (char) random.nextInt(0x10000);
            } while (Character.isSurrogate(c));
            return c;
        }
      };

  /** ASCII, 0 to 127. */
  static final Chars ASCII = random -> (char) random.nextInt(0x80);

  /** One of {@code pool}'s characters. */
  static Chars from(String pool) {
    return random -> pool.charAt(random.nextInt(pool.length()));
  }

  /**
   * A string of {@code min} to {@code max} characters; short ones (up to {@code min + 2}) come a
   * quarter of the time, as edge cases do.
   */
  static String string(Random random, Chars chars, int min, int max) {
    int length =
        random.nextInt(4) == 0
            ? min + random.nextInt(Math.min(3, max - min + 1))
            : min + random.nextInt(max - min + 1);
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append(chars.next(random));
    }
    return text.toString();
  }

  /** One of {@code choices}. */
  static <T> T pick(Random random, List<T> choices) {
    return choices.get(random.nextInt(choices.size()));
  }
}
