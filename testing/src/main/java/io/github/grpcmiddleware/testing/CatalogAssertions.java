package io.github.grpcmiddleware.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.text.ChoiceFormat;
import java.text.DateFormat;
import java.text.Format;
import java.text.MessageFormat;
import java.text.NumberFormat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that every text of a message catalog (a {@code .properties} file of {@link MessageFormat}
 * patterns, as read by grpc-middleware-i18n) is sent as written: each key is formatted with
 * sentinel arguments and must show every one of them.
 *
 * <pre>{@code
 * @Test
 * void catalogsSendWhatTheySay() {
 *   CatalogAssertions.assertEveryMessageFormats("com/example/messages.properties", Locale.ENGLISH);
 *   CatalogAssertions.assertEveryMessageFormats("com/example/messages_fr.properties", Locale.FRENCH);
 * }
 * }</pre>
 *
 * <p>It catches the MessageFormat traps: a single {@code '} (an apostrophe written as in prose)
 * quotes the rest of the text, so {@code "Item {0} isn't here"} is sent as {@code "Item ZZ isnt
 * here"} and {@code "L'utilisateur {0}"} loses its argument (write {@code ''}); an argument between
 * quotes ({@code "Field '{0}' is required."}, {@code "l'{0}"}) is sent as a literal {@code {0}},
 * which MessageFormat does not even count as an argument (write {@code ''{0}''}); {@code
 * {0,number}} groups digits, so an id 1234567 is sent as {@code 1,234,567} (write {@code
 * {0,number,#}}); and a pattern MessageFormat cannot parse. Every problem of the catalog is
 * reported in one {@link AssertionError}, key by key. Pass ids as strings or with {@code
 * {0,number,#}}: a number given to a plain {@code {0}} is grouped too, and no check of the text can
 * see that.
 *
 * <p>This class is thread-safe.
 */
public final class CatalogAssertions {
  private static final long NUMBER_SENTINEL = 1234567L;
  private static final Pattern QUOTED_ARGUMENT = Pattern.compile("\\{\\s*(\\d{1,9})\\s*[,}]");

  private CatalogAssertions() {}

  /**
   * Checks every text of a catalog file on the class path, read as UTF-8.
   *
   * @param resourcePath the file, for example {@code com/example/messages_fr.properties}; not null
   * @param locale the language of the file, used to format the arguments; not null
   * @throws AssertionError naming every key whose text is not sent as written, or when the file is
   *     not on the class path
   */
  public static void assertEveryMessageFormats(String resourcePath, Locale locale) {
    Objects.requireNonNull(resourcePath, "resourcePath");
    Objects.requireNonNull(locale, "locale");
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = CatalogAssertions.class.getClassLoader();
    }
    Properties properties = new Properties();
    try (InputStream in = loader.getResourceAsStream(resourcePath)) {
      if (in == null) {
        throw new AssertionError(
            "resourcePath: " + resourcePath + " (expected: a file on the class path)");
      }
      properties.load(new InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError("Cannot read " + resourcePath, e);
    }
    Map<String, String> patterns = new TreeMap<>();
    for (String key : properties.stringPropertyNames()) {
      patterns.put(key, properties.getProperty(key));
    }
    check(resourcePath, patterns, locale);
  }

  /**
   * Checks every pattern of a catalog held in memory.
   *
   * @param patterns each key and its MessageFormat pattern; not null
   * @param locale the language of the patterns, used to format the arguments; not null
   * @throws AssertionError naming every key whose text is not sent as written
   */
  public static void assertEveryMessageFormats(Map<String, String> patterns, Locale locale) {
    Objects.requireNonNull(patterns, "patterns");
    Objects.requireNonNull(locale, "locale");
    check("the catalog", new TreeMap<>(patterns), locale);
  }

  private static void check(String source, Map<String, String> patterns, Locale locale) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> entry : patterns.entrySet()) {
      String key = entry.getKey();
      String pattern = entry.getValue();
      boolean loneApostrophe = hasLoneApostropheBeforeLetter(pattern);
      if (loneApostrophe) {
        problems.add(
            key
                + ": a single ' before a letter is dropped together with the text it quotes;"
                + " write '' for an apostrophe: "
                + pattern);
      }
      MessageFormat format;
      try {
        format = new MessageFormat(pattern, locale);
      } catch (IllegalArgumentException e) {
        problems.add(key + ": not a MessageFormat pattern (" + e.getMessage() + "): " + pattern);
        continue;
      }
      Format[] formats = format.getFormatsByArgumentIndex();
      Object[] args = new Object[formats.length];
      for (int i = 0; i < formats.length; i++) {
        args[i] = sentinelFor(formats[i], i);
      }
      String text;
      try {
        text = format.format(args);
      } catch (IllegalArgumentException e) {
        problems.add(key + ": cannot be formatted (" + e.getMessage() + "): " + pattern);
        continue;
      }
      // Said once per key: a lone ' before a letter quotes the arguments after it too.
      for (int quoted :
          loneApostrophe ? Collections.<Integer>emptyList() : quotedArguments(pattern)) {
        problems.add(
            key
                + ": argument {"
                + quoted
                + "} is inside quotes, so the text says a literal {"
                + quoted
                + "}; write '' for an apostrophe: "
                + pattern
                + " -> "
                + text);
      }
      for (int i = 0; i < formats.length; i++) {
        if (args[i] instanceof String && !text.contains((String) args[i])) {
          problems.add(
              key
                  + ": argument {"
                  + i
                  + "} is missing from the text (unused, or quoted by a '): "
                  + pattern
                  + " -> "
                  + text);
        } else if (args[i] instanceof Long
            && groupingNumber(i).matcher(pattern).find()
            && !text.contains(Long.toString(NUMBER_SENTINEL))) {
          problems.add(
              key
                  + ": {"
                  + i
                  + ",number} groups digits ("
                  + NUMBER_SENTINEL
                  + " is sent as \""
                  + text
                  + "\"); write {"
                  + i
                  + ",number,#} for ids");
        }
      }
    }
    if (!problems.isEmpty()) {
      StringBuilder message =
          new StringBuilder()
              .append(problems.size())
              .append(" problem(s) in ")
              .append(source)
              .append(" (")
              .append(patterns.size())
              .append(" keys):");
      for (String problem : problems) {
        message.append("\n  ").append(problem);
      }
      throw new AssertionError(message.toString());
    }
  }

  private static Object sentinelFor(Format format, int index) {
    if (format == null) {
      return "\u27e6ARG" + index + "\u27e7";
    }
    if (format instanceof ChoiceFormat) {
      return 1;
    }
    if (format instanceof NumberFormat) {
      return NUMBER_SENTINEL;
    }
    if (format instanceof DateFormat) {
      return new Date(0);
    }
    return "\u27e6ARG" + index + "\u27e7";
  }

  private static Pattern groupingNumber(int index) {
    return Pattern.compile("\\{\\s*" + index + "\\s*,\\s*number\\s*(,\\s*integer\\s*)?}");
  }

  /**
   * The argument indexes written inside a quoted part of the pattern's top level ({@code Field
   * '{0}'}, {@code l'{0}}): MessageFormat sends them as literal text, and does not count them as
   * arguments, so a check of the arguments it parsed cannot see them.
   */
  static List<Integer> quotedArguments(String pattern) {
    List<Integer> found = new ArrayList<>();
    boolean quoted = false;
    int depth = 0;
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\'') {
        if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '\'') {
          i++; // '' is an apostrophe, in quotes or not
        } else {
          quoted = !quoted;
        }
      } else if (quoted) {
        if (c == '{' && depth == 0) {
          Matcher argument = QUOTED_ARGUMENT.matcher(pattern).region(i, pattern.length());
          if (argument.lookingAt()) {
            found.add(Integer.parseInt(argument.group(1)));
          }
        }
      } else if (c == '{') {
        depth++;
      } else if (c == '}' && depth > 0) {
        depth--;
      }
    }
    return found;
  }

  /** A {@code '} that is not doubled and comes before a letter: letters never need quoting. */
  static boolean hasLoneApostropheBeforeLetter(String pattern) {
    for (int i = 0; i < pattern.length(); i++) {
      if (pattern.charAt(i) != '\'') {
        continue;
      }
      if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '\'') {
        i++;
        continue;
      }
      if (i + 1 < pattern.length() && Character.isLetter(pattern.charAt(i + 1))) {
        return true;
      }
    }
    return false;
  }
}
