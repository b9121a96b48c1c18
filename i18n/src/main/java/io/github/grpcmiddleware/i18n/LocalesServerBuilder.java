package io.github.grpcmiddleware.i18n;

import io.grpc.ServerInterceptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Configures the server interceptor that resolves the caller's locale from {@code accept-language};
 * obtained from {@link Locales#serverBuilder()}.
 *
 * <p>The interceptor sits outside error mapping (the chain builder puts it there), so error mapping
 * captures a Context that holds the locale. For each call it parses the header (bounded: the first
 * 4096 characters and 32 ranges), chooses a supported locale by q-value ({@code *} at its own q
 * standing for the languages no other range names), comparing tags by what they mean once CLDR's
 * likely subtags fill in script and region ({@code zh-HK} is {@code zh-Hant-HK}), by RFC 4647
 * lookup that never crosses scripts, and by a same-language fallback, and otherwise uses the
 * default locale; a missing or malformed header never fails a call. The answer goes into the {@link
 * io.grpc.Context} ({@link Locales#current()}), optionally into the MDC under {@code locale} around
 * every listener callback, and into the {@code content-language} response header (unless the
 * service already set one). Results are cached for up to 256 distinct header values.
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs.
 */
public final class LocalesServerBuilder {

  private final List<Locale> supported = new ArrayList<>();
  private @Nullable Locale defaultLocale;
  private boolean mdc;
  private boolean contentLanguage = true;
  private int cacheSize = 256;

  LocalesServerBuilder() {}

  /**
   * Adds locales the service supports, preferred first (the order breaks ties in the same-language
   * fallback).
   *
   * @param locales the locales; not null, no null elements
   * @return this builder
   */
  public LocalesServerBuilder supported(Locale... locales) {
    Objects.requireNonNull(locales, "locales");
    for (int i = 0; i < locales.length; i++) {
      supported.add(Objects.requireNonNull(locales[i], "locales[" + i + "]"));
    }
    return this;
  }

  /**
   * Sets the locale used when the caller sends no acceptable range; never the JVM's default.
   *
   * @param locale the default; not null, not {@link Locale#ROOT}, one of the {@linkplain #supported
   *     supported} locales when any are given; default: the first supported locale
   * @return this builder
   */
  public LocalesServerBuilder defaultLocale(Locale locale) {
    this.defaultLocale = Objects.requireNonNull(locale, "locale");
    return this;
  }

  /**
   * Mirrors the resolved locale's tag into the MDC under {@code locale} around every listener
   * callback, restoring the previous value afterwards.
   *
   * @param enabled true to mirror; default false
   * @return this builder
   */
  public LocalesServerBuilder mdc(boolean enabled) {
    this.mdc = enabled;
    return this;
  }

  /**
   * Adds {@code content-language} with the resolved locale to the response headers.
   *
   * @param enabled false to leave response headers alone; default true
   * @return this builder
   */
  public LocalesServerBuilder contentLanguage(boolean enabled) {
    this.contentLanguage = enabled;
    return this;
  }

  /**
   * Sets how many distinct header values keep their result cached.
   *
   * @param size 0 (no cache) or more; default 256
   * @return this builder
   */
  public LocalesServerBuilder cacheSize(int size) {
    this.cacheSize = size;
    return this;
  }

  /**
   * Builds the interceptor.
   *
   * @return the interceptor; never null
   * @throws IllegalStateException when no locale is configured, the default is the root locale or
   *     not one of the supported locales
   * @throws IllegalArgumentException when the cache size is negative
   */
  public ServerInterceptor build() {
    if (cacheSize < 0) {
      throw new IllegalArgumentException("cacheSize: " + cacheSize + " (expected: >= 0)");
    }
    Locale chosenDefault = defaultLocale;
    if (chosenDefault == null) {
      if (supported.isEmpty()) {
        throw new IllegalStateException("supported: [] (expected: at least one locale)");
      }
      chosenDefault = supported.get(0);
    }
    if (chosenDefault.equals(Locale.ROOT)) {
      throw new IllegalStateException("defaultLocale: root (expected: a language)");
    }
    for (Locale locale : supported) {
      if (locale.equals(Locale.ROOT)) {
        throw new IllegalStateException("supported: root locale (expected: languages only)");
      }
    }
    if (!supported.isEmpty() && !supported.contains(chosenDefault)) {
      throw new IllegalStateException(
          "defaultLocale: "
              + chosenDefault.toLanguageTag()
              + " (expected: one of supported "
              + tags(supported)
              + "; add it to supported(...) or choose one of them)");
    }
    LocaleMatcher matcher = new LocaleMatcher(supported, chosenDefault, cacheSize);
    return new LocalesServerInterceptor(matcher, mdc, contentLanguage);
  }

  private static List<String> tags(List<Locale> locales) {
    List<String> tags = new ArrayList<>();
    for (Locale locale : locales) {
      tags.add(locale.toLanguageTag());
    }
    return tags;
  }
}
