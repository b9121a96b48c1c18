package io.github.grpcmiddleware.i18n;

import io.grpc.ClientInterceptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Configures the client interceptor that sends {@code accept-language}; obtained from {@link
 * Locales#clientBuilder()}.
 *
 * <p>On every call the interceptor asks the supplier for the preferred locale and sends its BCP-47
 * tag first, then the fallbacks with their q-values, for example {@code de-CH, de;q=0.8, en;q=0.5}.
 * A call that already carries {@code accept-language} (set by code closer to the application) is
 * left alone. When the supplier returns null, {@link Locale#ROOT} or throws, only the fallbacks are
 * sent (nothing when there are none); the call goes on. A gateway forwards its own caller's
 * language with {@code .locale(Locales::current)}.
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs.
 */
public final class LocalesClientBuilder {

  private Supplier<@Nullable Locale> supplier = Locale::getDefault;
  private final List<String> fallbackTags = new ArrayList<>();
  private final List<Double> fallbackWeights = new ArrayList<>();

  LocalesClientBuilder() {}

  /**
   * Sets where the preferred locale comes from, asked on every call.
   *
   * @param localeSupplier the supplier; not null; may return null; default {@link
   *     Locale#getDefault()}
   * @return this builder
   */
  public LocalesClientBuilder locale(Supplier<@Nullable Locale> localeSupplier) {
    Objects.requireNonNull(localeSupplier, "localeSupplier");
    this.supplier = localeSupplier;
    return this;
  }

  /**
   * Adds a fallback locale sent after the preferred one; fallbacks keep the order they were added
   * in.
   *
   * @param locale the locale; not null, not {@link Locale#ROOT}
   * @param q its weight, above 0 and at most 1, rounded to three decimals
   * @return this builder
   */
  public LocalesClientBuilder fallback(Locale locale, double q) {
    Objects.requireNonNull(locale, "locale");
    fallbackTags.add(locale.toLanguageTag());
    fallbackWeights.add(q);
    return this;
  }

  /**
   * Builds the interceptor.
   *
   * @return the interceptor; never null
   * @throws IllegalArgumentException when a fallback is the root locale or its weight is out of
   *     range
   */
  public ClientInterceptor build() {
    StringBuilder suffix = new StringBuilder();
    List<String> tags = new ArrayList<>();
    for (int i = 0; i < fallbackTags.size(); i++) {
      String tag = fallbackTags.get(i);
      double q = fallbackWeights.get(i);
      long millis = Math.round(q * 1000);
      if (!(q > 0 && q <= 1) || millis == 0) {
        throw new IllegalArgumentException("q: " + q + " (expected: >= 0.001 and <= 1)");
      }
      if ("und".equals(tag)) {
        throw new IllegalArgumentException("fallback: root locale (expected: a language)");
      }
      tags.add(tag);
      suffix.append(", ").append(tag);
      if (millis < 1000) {
        suffix.append(";q=0.").append(String.format(Locale.ROOT, "%03d", millis));
        while (suffix.charAt(suffix.length() - 1) == '0') {
          suffix.setLength(suffix.length() - 1);
        }
      }
    }
    return new LocalesClientInterceptor(supplier, tags, suffix.toString());
  }
}
