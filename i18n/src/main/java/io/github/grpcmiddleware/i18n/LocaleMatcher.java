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
 * <p>Ranges are tried by weight, then position (see {@link AcceptLanguage}). For each range:
 *
 * <ol>
 *   <li>{@code *} gives the default locale;
 *   <li>otherwise RFC 4647 lookup: the range itself, then the range with its last subtag removed
 *       (and a singleton left at the end removed too), down to the language: {@code en-GB} tries
 *       {@code en-gb}, then {@code en};
 *   <li>Chinese: before the bare {@code zh}, the range's script family is tried. A range with
 *       script {@code Hant}, or region {@code TW}, {@code HK} or {@code MO}, is Traditional and
 *       tries {@code zh-Hant-TW}, {@code zh-Hant}, {@code zh-TW}, {@code zh-HK}, {@code zh-MO}; any
 *       other Chinese range ({@code Hans}, {@code CN}, {@code SG}, or none) is Simplified and tries
 *       {@code zh-Hans-CN}, {@code zh-Hans}, {@code zh-CN}, {@code zh-SG};
 *   <li>last, the first supported locale (in configured order) with the same language (and for
 *       Chinese, the same script family): {@code en} picks {@code en-US} when only that is
 *       supported.
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

  private static final int NONE = 0;
  private static final int HANS = 1;
  private static final int HANT = 2;
  private static final String[][] FAMILY_KEYS = {
    {},
    {"zh-hans-cn", "zh-hans", "zh-cn", "zh-sg"},
    {"zh-hant-tw", "zh-hant", "zh-tw", "zh-hk", "zh-mo"},
  };

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
          "*".equals(range.tag()) ? anyAcceptable(ranges) : lookup(range.tag(), ranges);
      if (found != null) {
        return found;
      }
    }
    return defaultLocale;
  }

  private @Nullable SupportedLocale anyAcceptable(List<AcceptLanguage.Range> ranges) {
    if (!excluded(defaultLocale, ranges)) {
      return defaultLocale;
    }
    for (SupportedLocale entry : supported) {
      if (!excluded(entry, ranges)) {
        return entry;
      }
    }
    return null;
  }

  private @Nullable SupportedLocale lookup(String range, List<AcceptLanguage.Range> ranges) {
    String language = languageOf(range);
    int family = "zh".equals(language) ? familyOf(range) : NONE;
    String[] familyKeys = FAMILY_KEYS[family];
    String candidate = range;
    boolean truncated = false;
    while (true) {
      // Before the bare "zh" the script family wins, unless "zh" is the range itself.
      boolean bareZh = family != NONE && candidate.length() == 2;
      SupportedLocale found = bareZh && truncated ? first(familyKeys, ranges) : null;
      if (found == null) {
        found = acceptable(byKey.get(candidate), ranges);
      }
      if (found == null && bareZh && !truncated) {
        found = first(familyKeys, ranges);
      }
      if (found != null) {
        return found;
      }
      int dash = candidate.lastIndexOf('-');
      if (dash < 0) {
        break;
      }
      if (dash >= 2 && candidate.charAt(dash - 2) == '-') {
        dash -= 2; // RFC 4647 3.4: drop a singleton left at the end
      }
      candidate = candidate.substring(0, dash);
      truncated = true;
    }
    List<SupportedLocale> sameLanguage = byLanguage.get(language);
    if (sameLanguage != null) {
      for (SupportedLocale entry : sameLanguage) {
        if ((family == NONE || entry.family == family) && !excluded(entry, ranges)) {
          return entry;
        }
      }
    }
    return null;
  }

  private @Nullable SupportedLocale first(String[] keys, List<AcceptLanguage.Range> ranges) {
    for (String key : keys) {
      SupportedLocale found = acceptable(byKey.get(key), ranges);
      if (found != null) {
        return found;
      }
    }
    return null;
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
      String tag = range.tag();
      String key = entry.key;
      if (key.startsWith(tag)
          && (key.length() == tag.length() || key.charAt(tag.length()) == '-')) {
        return true;
      }
    }
    return false;
  }

  private static String languageOf(String key) {
    int dash = key.indexOf('-');
    return dash < 0 ? key : key.substring(0, dash);
  }

  private static int familyOf(String key) {
    int family = HANS;
    int start = key.indexOf('-') + 1;
    while (start > 0 && start < key.length()) {
      int end = key.indexOf('-', start);
      String subtag = key.substring(start, end < 0 ? key.length() : end);
      if ("hant".equals(subtag)) {
        return HANT;
      }
      if ("hans".equals(subtag)) {
        return HANS;
      }
      if ("tw".equals(subtag) || "hk".equals(subtag) || "mo".equals(subtag)) {
        family = HANT;
      }
      start = end < 0 ? -1 : end + 1;
    }
    return family;
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
    private final int family;

    SupportedLocale(Locale locale) {
      this.locale = locale;
      this.tag = locale.toLanguageTag();
      this.key = tag.toLowerCase(Locale.ROOT);
      this.family = "zh".equals(languageOf(key)) ? familyOf(key) : NONE;
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
