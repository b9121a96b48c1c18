package io.github.grpcmiddleware.i18n;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Chooses one of the supported locales for an {@code accept-language} value. Package-private; the
 * benchmarks module reaches it from a class in this same package.
 *
 * <p>Tags are compared by what they mean: the script and region a tag leaves out are filled in from
 * CLDR's likely subtags ({@link LikelySubtags}: {@code zh-HK} is {@code zh-Hant-HK}, {@code pt} is
 * {@code pt-Latn-BR}, {@code sr} is {@code sr-Cyrl-RS}). Ranges are tried by weight, then position
 * (see {@link AcceptLanguage}). For each range:
 *
 * <ol>
 *   <li>{@code *} stands for every language no other range of the header names (RFC 9110 section
 *       12.5.4), at its own weight: the default locale, else the first supported locale, that no
 *       other range matches;
 *   <li>the supported locale with the range's tag;
 *   <li>the first supported locale that means the same ({@code zh-HK} picks {@code zh-Hant-HK},
 *       {@code zh-Hant-HK} picks {@code zh-HK}, {@code pt} picks {@code pt-BR} over {@code pt-PT});
 *   <li>RFC 4647 lookup: the range with its last subtag removed (and a singleton left at the end
 *       removed too), down to the language: {@code en-GB-oxendict} tries {@code en-gb}, then {@code
 *       en}. In a language written in several scripts (Chinese, Serbian, ...) a shorter tag of
 *       another script is skipped ({@code sr} is Cyrillic: no answer for {@code sr-Latn-RS}), and
 *       before the bare language the range's script wins ({@code zh-SG} picks {@code zh-CN} before
 *       {@code zh});
 *   <li>last, the first supported locale (in configured order) with the same language and script,
 *       then with the same language and no conflicting script: {@code fr-CA} picks {@code fr-FR}.
 * </ol>
 *
 * A range with {@code q=0} excludes the supported locales it matches by RFC 4647 basic filtering
 * ({@code en;q=0} excludes {@code en} and {@code en-GB}); {@code *;q=0} excludes nothing. When no
 * range gives an acceptable locale the default locale is the answer, even if excluded: a call never
 * fails because of its language. Matching ignores case. Never throws.
 *
 * <p>Results are cached per header value for values up to {@value #MAX_CACHED_HEADER_LENGTH}
 * characters, in a map that is emptied when it reaches its size, so memory stays bounded whatever
 * callers send.
 *
 * <p>This class is thread-safe.
 */
final class LocaleMatcher {

  /** Longest header value whose result is cached. */
  static final int MAX_CACHED_HEADER_LENGTH = 256;

  private final List<SupportedLocale> supported;
  private final Map<String, SupportedLocale> byKey;
  private final Map<String, List<SupportedLocale>> byLanguage;
  private final SupportedLocale defaultLocale;
  private final int cacheSize;
  private final ConcurrentHashMap<String, SupportedLocale> cache;

  /**
   * Creates a matcher.
   *
   * @param supportedLocales the locales the service supports, preferred first; the default locale
   *     is added when missing; not null
   * @param defaultLocale the answer when nothing matches; not null, not {@link Locale#ROOT}
   * @param cacheSize the number of header values whose result is cached; 0 disables the cache
   */
  LocaleMatcher(Collection<Locale> supportedLocales, Locale defaultLocale, int cacheSize) {
    Map<String, SupportedLocale> keys = new LinkedHashMap<>();
    for (Locale locale : supportedLocales) {
      SupportedLocale entry = new SupportedLocale(locale);
      keys.putIfAbsent(entry.key, entry);
    }
    SupportedLocale defaultEntry = new SupportedLocale(defaultLocale);
    SupportedLocale existing = keys.putIfAbsent(defaultEntry.key, defaultEntry);
    this.defaultLocale = existing == null ? defaultEntry : existing;
    this.supported = Collections.unmodifiableList(new ArrayList<>(keys.values()));
    this.byKey = new HashMap<>(keys);
    Map<String, List<SupportedLocale>> languages = new HashMap<>();
    for (SupportedLocale entry : supported) {
      languages.computeIfAbsent(languageOf(entry.key), k -> new ArrayList<>()).add(entry);
    }
    this.byLanguage = languages;
    this.cacheSize = cacheSize;
    this.cache = new ConcurrentHashMap<>(cacheSize > 0 ? cacheSize * 2 : 1);
  }

  /**
   * Returns the supported locales, the default included.
   *
   * @return an unmodifiable list; never null
   */
  List<SupportedLocale> supported() {
    return supported;
  }

  /**
   * Returns the default locale.
   *
   * @return the default; never null
   */
  SupportedLocale defaultLocale() {
    return defaultLocale;
  }

  /**
   * Chooses the locale for a header value.
   *
   * @param header the {@code accept-language} value; null means none was sent
   * @return one of {@link #supported()}; never null
   */
  SupportedLocale match(@Nullable String header) {
    if (header == null) {
      return defaultLocale;
    }
    boolean cacheable = cacheSize > 0 && header.length() <= MAX_CACHED_HEADER_LENGTH;
    if (cacheable) {
      SupportedLocale cached = cache.get(header);
      if (cached != null) {
        return cached;
      }
    }
    SupportedLocale result;
    try {
      result = choose(AcceptLanguage.parse(header));
    } catch (RuntimeException e) {
      // Not expected; a header must never fail a call.
      result = defaultLocale;
    }
    if (cacheable) {
      if (cache.size() >= cacheSize) {
        cache.clear();
      }
      cache.put(header, result);
    }
    return result;
  }

  private SupportedLocale choose(List<AcceptLanguage.Range> ranges) {
    for (AcceptLanguage.Range range : ranges) {
      if (range.weight() == 0) {
        break; // sorted: only exclusions follow
      }
      SupportedLocale found =
          "*".equals(range.tag()) ? unnamed(ranges) : lookup(range.tag(), ranges);
      if (found != null) {
        return found;
      }
    }
    return defaultLocale;
  }

  /** What {@code *} stands for: the default, else the first supported, that no range names. */
  private @Nullable SupportedLocale unnamed(List<AcceptLanguage.Range> ranges) {
    if (!excluded(defaultLocale, ranges) && !named(defaultLocale, ranges)) {
      return defaultLocale;
    }
    for (SupportedLocale entry : supported) {
      if (!excluded(entry, ranges) && !named(entry, ranges)) {
        return entry;
      }
    }
    return null;
  }

  private @Nullable SupportedLocale lookup(String range, List<AcceptLanguage.Range> ranges) {
    SupportedLocale found = acceptable(byKey.get(range), ranges);
    if (found != null) {
      return found;
    }
    LikelySubtags.Tag wanted = LikelySubtags.maximize(range);
    for (SupportedLocale entry : supported) {
      if (entry.meaning.equals(wanted) && !excluded(entry, ranges)) {
        return entry;
      }
    }
    boolean multiScript = LikelySubtags.isMultiScript(wanted.language);
    String candidate = range;
    while (true) {
      int dash = candidate.lastIndexOf('-');
      if (dash < 0) {
        break;
      }
      if (dash >= 2 && candidate.charAt(dash - 2) == '-') {
        dash -= 2; // RFC 4647 3.4: drop a singleton left at the end
      }
      candidate = candidate.substring(0, dash);
      if (multiScript && candidate.indexOf('-') < 0) {
        // The bare language means its default script: the range's own script comes first.
        found = sameLanguage(wanted, ranges, true);
        if (found != null) {
          return found;
        }
      }
      SupportedLocale entry = byKey.get(candidate);
      if (entry != null && !conflicts(entry, wanted)) {
        found = acceptable(entry, ranges);
        if (found != null) {
          return found;
        }
      }
    }
    return sameLanguage(wanted, ranges, false);
  }

  /**
   * The first acceptable supported locale of the wanted language in the wanted script, then (unless
   * {@code sameScriptOnly}) in any script that does not conflict; a bare-language entry only when
   * not {@code sameScriptOnly}.
   */
  private @Nullable SupportedLocale sameLanguage(
      LikelySubtags.Tag wanted, List<AcceptLanguage.Range> ranges, boolean sameScriptOnly) {
    List<SupportedLocale> sameLanguage = byLanguage.get(wanted.language);
    if (sameLanguage == null) {
      return null;
    }
    for (SupportedLocale entry : sameLanguage) {
      if (entry.meaning.script.equals(wanted.script)
          && !(sameScriptOnly && entry.key.indexOf('-') < 0)
          && !excluded(entry, ranges)) {
        return entry;
      }
    }
    if (sameScriptOnly) {
      return null;
    }
    for (SupportedLocale entry : sameLanguage) {
      if (!conflicts(entry, wanted) && !excluded(entry, ranges)) {
        return entry;
      }
    }
    return null;
  }

  private static boolean conflicts(SupportedLocale entry, LikelySubtags.Tag wanted) {
    return LikelySubtags.scriptsConflict(wanted.language, entry.meaning.script, wanted.script);
  }

  private static @Nullable SupportedLocale acceptable(
      @Nullable SupportedLocale entry, List<AcceptLanguage.Range> ranges) {
    return entry == null || excluded(entry, ranges) ? null : entry;
  }

  private static boolean excluded(SupportedLocale entry, List<AcceptLanguage.Range> ranges) {
    for (int i = ranges.size() - 1; i >= 0; i--) {
      AcceptLanguage.Range range = ranges.get(i);
      if (range.weight() != 0) {
        return false;
      }
      if (matches(range.tag(), entry.key)) {
        return true;
      }
    }
    return false;
  }

  /** Whether a range other than {@code *}, of any weight, matches the entry. */
  private static boolean named(SupportedLocale entry, List<AcceptLanguage.Range> ranges) {
    for (AcceptLanguage.Range range : ranges) {
      if (!"*".equals(range.tag()) && matches(range.tag(), entry.key)) {
        return true;
      }
    }
    return false;
  }

  /** RFC 4647 basic filtering: the range is the key or a prefix of it ending at a subtag. */
  private static boolean matches(String range, String key) {
    return key.startsWith(range)
        && (key.length() == range.length() || key.charAt(range.length()) == '-');
  }

  private static String languageOf(String key) {
    int dash = key.indexOf('-');
    return dash < 0 ? key : key.substring(0, dash);
  }

  /**
   * A supported locale with its BCP-47 tag, computed once.
   *
   * <p>This class is immutable.
   */
  static final class SupportedLocale {
    private final Locale locale;
    private final String tag;
    private final String key;
    private final LikelySubtags.Tag meaning;

    SupportedLocale(Locale locale) {
      this.locale = locale;
      this.tag = locale.toLanguageTag();
      this.key = tag.toLowerCase(Locale.ROOT);
      this.meaning = LikelySubtags.maximize(key);
    }

    /**
     * Returns the locale.
     *
     * @return the locale; never null
     */
    Locale locale() {
      return locale;
    }

    /**
     * Returns the locale's BCP-47 tag, as sent in {@code content-language}.
     *
     * @return the tag; never null
     */
    String tag() {
      return tag;
    }

    @Override
    public String toString() {
      return tag;
    }
  }
}
