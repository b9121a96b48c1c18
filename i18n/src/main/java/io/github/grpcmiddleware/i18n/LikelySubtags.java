package io.github.grpcmiddleware.i18n;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a language tag means once the script and region it leaves out are filled in from CLDR's
 * likely subtags ({@code zh-HK} is {@code zh-Hant-HK}, {@code pt} is {@code pt-Latn-BR}), for the
 * languages in {@value #RESOURCE}. The JDK has no such table. Package-private.
 *
 * <p>This class is thread-safe.
 */
final class LikelySubtags {

  /** The table: one {@code key=language-Script-REGION} line per language, script or region. */
  static final String RESOURCE = "io/github/grpcmiddleware/i18n/likely-subtags.properties";

  private static final Map<String, Tag> TABLE;
  private static final Map<String, Set<String>> SCRIPTS;

  static {
    Properties lines = new Properties();
    try (InputStream in = LikelySubtags.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the class path");
      }
      lines.load(new InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read " + RESOURCE, e);
    }
    Map<String, Tag> table = new HashMap<>();
    Map<String, Set<String>> scripts = new HashMap<>();
    for (String key : lines.stringPropertyNames()) {
      Tag value = Tag.parse(lines.getProperty(key).trim().toLowerCase(Locale.ROOT));
      table.put(key.trim().toLowerCase(Locale.ROOT), value);
      scripts.computeIfAbsent(value.language, k -> new HashSet<>()).add(value.script);
    }
    TABLE = table;
    SCRIPTS = scripts;
  }

  private LikelySubtags() {}

  /**
   * Returns a tag with its script and region filled in where the table knows them.
   *
   * @param key a lowercase, hyphenated tag or language range; variants and extensions are ignored
   * @return the language, script and region; the script or region is empty when unknown
   */
  static Tag maximize(String key) {
    Tag tag = Tag.parse(key);
    if (!tag.script.isEmpty() && !tag.region.isEmpty()) {
      return tag;
    }
    Tag likely = null;
    if (!tag.region.isEmpty()) {
      likely = TABLE.get(tag.language + "-" + tag.region);
    }
    if (likely == null && !tag.script.isEmpty()) {
      likely = TABLE.get(tag.language + "-" + tag.script);
    }
    if (likely == null) {
      likely = TABLE.get(tag.language);
    }
    if (likely == null) {
      return tag;
    }
    return new Tag(
        tag.language,
        tag.script.isEmpty() ? likely.script : tag.script,
        tag.region.isEmpty() ? likely.region : tag.region);
  }

  /**
   * Returns whether two scripts are different written forms of a language written in several
   * ({@code zh-Hans} and {@code zh-Hant}, {@code sr-Cyrl} and {@code sr-Latn}): text in one is not
   * an answer for a reader of the other. A script the table does not list for the language (as
   * {@code ja-Latn}) conflicts with nothing.
   */
  static boolean scriptsConflict(String language, String script, String other) {
    if (script.equals(other)) {
      return false;
    }
    Set<String> known = SCRIPTS.getOrDefault(language, Collections.<String>emptySet());
    return known.size() > 1 && known.contains(script) && known.contains(other);
  }

  /** Returns whether the table knows the language in several scripts. */
  static boolean isMultiScript(String language) {
    return SCRIPTS.getOrDefault(language, Collections.<String>emptySet()).size() > 1;
  }

  /**
   * Returns the regional locale a language's text is most likely written for in a script ({@code
   * pt} -> {@code pt-Latn-BR}, {@code zh-HK} -> {@code zh-Hant-TW}, {@code sr-Latn} -> {@code
   * sr-Latn-RS}), or null when the table does not know it.
   */
  static @Nullable Locale likelyRegional(Locale locale) {
    Tag tag = maximize(locale.toLanguageTag().toLowerCase(Locale.ROOT));
    if (tag.script.isEmpty()) {
      return null;
    }
    Tag likely = TABLE.get(tag.language + "-" + tag.script);
    if (likely == null) {
      Tag language = TABLE.get(tag.language);
      likely = language != null && language.script.equals(tag.script) ? language : null;
    }
    if (likely == null || likely.region.isEmpty()) {
      return null;
    }
    return new Locale.Builder()
        .setLanguage(likely.language)
        .setScript(likely.script)
        .setRegion(likely.region)
        .build();
  }

  /**
   * A language with its script and region, lowercase; empty strings where a subtag is absent.
   *
   * <p>This class is immutable.
   */
  static final class Tag {
    final String language;
    final String script;
    final String region;

    Tag(String language, String script, String region) {
      this.language = language;
      this.script = script;
      this.region = region;
    }

    /** Reads the language, script and region of a lowercase tag, ignoring what follows them. */
    static Tag parse(String key) {
      int end = key.indexOf('-');
      String language = end < 0 ? key : key.substring(0, end);
      String script = "";
      String region = "";
      while (end >= 0) {
        int start = end + 1;
        end = key.indexOf('-', start);
        String subtag = end < 0 ? key.substring(start) : key.substring(start, end);
        if (script.isEmpty() && region.isEmpty() && subtag.length() == 4 && isAlpha(subtag)) {
          script = subtag;
        } else if (region.isEmpty() && isRegion(subtag)) {
          region = subtag;
        } else {
          break;
        }
      }
      return new Tag(language, script, region);
    }

    private static boolean isRegion(String subtag) {
      return (subtag.length() == 2 && isAlpha(subtag))
          || (subtag.length() == 3 && allBetween(subtag, '0', '9'));
    }

    private static boolean isAlpha(String s) {
      return allBetween(s, 'a', 'z');
    }

    private static boolean allBetween(String s, char low, char high) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c < low || c > high) {
          return false;
        }
      }
      return true;
    }

    @Override
    public boolean equals(@Nullable Object other) {
      if (!(other instanceof Tag)) {
        return false;
      }
      Tag that = (Tag) other;
      return language.equals(that.language)
          && script.equals(that.script)
          && region.equals(that.region);
    }

    @Override
    public int hashCode() {
      return (language.hashCode() * 31 + script.hashCode()) * 31 + region.hashCode();
    }

    @Override
    public String toString() {
      return language
          + (script.isEmpty() ? "" : "-" + script)
          + (region.isEmpty() ? "" : "-" + region);
    }
  }
}
