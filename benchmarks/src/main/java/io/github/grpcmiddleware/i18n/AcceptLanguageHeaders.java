package io.github.grpcmiddleware.i18n;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The {@code accept-language} values of {@link AcceptLanguageBenchmark}, and the two resolvers
 * compared. Run {@code main} to print each header's size and what each resolver answers.
 */
final class AcceptLanguageHeaders {

  /** First letters of the filler languages: no e or z, so never English or Chinese. */
  private static final String LETTERS = "abcdfghijklmnopqrstuvwxy";

  static final List<Locale> SUPPORTED = Arrays.asList(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE);

  private AcceptLanguageHeaders() {}

  /**
   * Returns the header value with this name.
   *
   * @param name a parameter value of {@link AcceptLanguageBenchmark#header}
   * @return the value
   */
  static String header(String name) {
    return switch (name) {
      case "browser_en" -> "en-US,en;q=0.9";
      case "browser_zh" -> "zh-CN,zh;q=0.9,en;q=0.8,en-GB;q=0.7,en-US;q=0.6";
      case "browser_fr" -> "fr-CA,fr;q=0.9,de;q=0.8,en-US;q=0.7,en;q=0.6,*;q=0.5";
      case "java_underscore" -> "zh_CN,en;q=0.5";
      case "huge_8k" -> huge("zh;q=0.1");
      case "huge_8k_bad_q" -> huge("zh;q=1.5");
      default -> throw new IllegalArgumentException("unknown header: " + name);
    };
  }

  /**
   * About 1,400 distinct ranges that match nothing supported (1,436 in 8 KiB), then {@code last}:
   * every range must be looked at before the last one matches.
   */
  private static String huge(String last) {
    int limit = 8192 - last.length();
    StringBuilder header = new StringBuilder(8192);
    for (int i = 0; ; i++) {
      String range = filler(i);
      if (header.length() + range.length() + 1 > limit) {
        break;
      }
      header.append(range).append(',');
    }
    return header.append(last).toString();
  }

  /**
   * A well-formed range that is neither English nor Chinese: {@code ab-cd} or, one in ten, {@code
   * ab}.
   */
  private static String filler(int i) {
    char a = LETTERS.charAt(i % LETTERS.length());
    char b = (char) ('f' + i / LETTERS.length() % 20);
    String language = new String(new char[] {a, b});
    if (i % 10 == 9) {
      return language;
    }
    char c = (char) ('a' + i / 480 % 26);
    char d = (char) ('a' + i % 7);
    return language + '-' + c + d;
  }

  /**
   * Ours: the i18n module's matcher, as the locale interceptor calls it.
   *
   * @param matcher the matcher
   * @param header the value
   * @return the resolved locale
   */
  static Locale ours(LocaleMatcher matcher, String header) {
    return matcher.match(header).locale();
  }

  /**
   * The JDK: {@code Locale.LanguageRange.parse} and {@code Locale.lookup}, falling back to the
   * default when parsing throws (it does on a malformed range) or nothing matches.
   *
   * @param header the value
   * @return the resolved locale
   */
  static Locale jdk(String header) {
    try {
      @Nullable Locale found = Locale.lookup(Locale.LanguageRange.parse(header), SUPPORTED);
      return found != null ? found : Locale.ENGLISH;
    } catch (IllegalArgumentException e) {
      return Locale.ENGLISH;
    }
  }

  /**
   * Prints each header's length, range count and both answers.
   *
   * @param args not used
   */
  public static void main(String[] args) {
    LocaleMatcher matcher = new LocaleMatcher(SUPPORTED, Locale.ENGLISH, 0);
    for (String name : AcceptLanguageBenchmark.HEADERS) {
      String header = header(name);
      String jdk;
      try {
        jdk = String.valueOf(Locale.lookup(Locale.LanguageRange.parse(header), SUPPORTED));
      } catch (IllegalArgumentException e) {
        jdk = "throws " + e.getClass().getSimpleName() + ": " + e.getMessage();
      }
      System.out.printf(
          "%-16s %5d chars %5d ranges  ours=%s  jdk=%s%n",
          name,
          header.length(),
          header.split(",", -1).length,
          ours(matcher, header).toLanguageTag(),
          jdk);
    }
  }
}
