package io.github.grpcmiddleware.i18n;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Configures {@link LocalizedMessages}; obtained from {@link LocalizedMessages#builder()}.
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs.
 */
public final class LocalizedMessagesBuilder {

  private final List<String> baseNames = new ArrayList<>();
  private Locale defaultLocale = Locale.ENGLISH;
  private Locale rootLocale = Locale.ENGLISH;
  private @Nullable ClassLoader classLoader;
  private boolean libraryMessages = true;

  LocalizedMessagesBuilder() {}

  /**
   * Adds the service's own catalogs, which take precedence over the library's at every locale; base
   * names added first win.
   *
   * @param baseName like {@code com/example/messages} or {@code com.example.messages}, for files
   *     {@code com/example/messages.properties}, {@code com/example/messages_zh_CN.properties},
   *     ...; not null, not empty
   * @return this builder
   */
  public LocalizedMessagesBuilder baseName(String baseName) {
    baseNames.add(Objects.requireNonNull(baseName, "baseName"));
    return this;
  }

  /**
   * Sets the locale tried after the caller's and before the root catalogs, and used when a call
   * carries no locale; never the JVM's default.
   *
   * @param locale the default; not null, not {@link Locale#ROOT}; default English
   * @return this builder
   */
  public LocalizedMessagesBuilder defaultLocale(Locale locale) {
    this.defaultLocale = Objects.requireNonNull(locale, "locale");
    return this;
  }

  /**
   * Sets the language the service's root catalogs ({@code messages.properties}, without a locale
   * suffix) are written in, reported in {@code LocalizedMessage.locale}. The library's root catalog
   * is always English.
   *
   * @param locale the language; not null, not {@link Locale#ROOT}; default English
   * @return this builder
   */
  public LocalizedMessagesBuilder rootLocale(Locale locale) {
    this.rootLocale = Objects.requireNonNull(locale, "locale");
    return this;
  }

  /**
   * Sets the class loader that reads the service's catalogs.
   *
   * @param loader the loader; not null; default: the thread's context class loader when {@link
   *     #build()} runs, else the one that loaded this library
   * @return this builder
   */
  public LocalizedMessagesBuilder classLoader(ClassLoader loader) {
    this.classLoader = Objects.requireNonNull(loader, "loader");
    return this;
  }

  /**
   * Includes the library's own translated messages (auth failures, internal error, the generic text
   * of each status code) after the service's catalogs.
   *
   * @param enabled false to use only the service's catalogs; default true
   * @return this builder
   */
  public LocalizedMessagesBuilder libraryMessages(boolean enabled) {
    this.libraryMessages = enabled;
    return this;
  }

  /**
   * Builds the catalogs. Each base name must have a root file ({@code baseName.properties}) or a
   * file for the default or the root locale (such as {@code baseName_en.properties}); the other
   * files are read on first use.
   *
   * @return the catalogs; never null
   * @throws IllegalStateException when no catalog is configured
   * @throws IllegalArgumentException when a base name is empty, ends in {@code .properties} or has
   *     no such file, or a locale is the root locale
   */
  public LocalizedMessages build() {
    if (baseNames.isEmpty() && !libraryMessages) {
      throw new IllegalStateException(
          "baseNames: [] (expected: at least one, or library messages)");
    }
    if (defaultLocale.equals(Locale.ROOT)) {
      throw new IllegalArgumentException("defaultLocale: root (expected: a language)");
    }
    if (rootLocale.equals(Locale.ROOT)) {
      throw new IllegalArgumentException("rootLocale: root (expected: a language)");
    }
    ClassLoader own = loaderOf(LocalizedMessages.class);
    ClassLoader loader = classLoader;
    if (loader == null) {
      loader = Thread.currentThread().getContextClassLoader();
    }
    if (loader == null) {
      loader = own;
    }
    List<CatalogSource> sources = new ArrayList<>();
    for (String baseName : baseNames) {
      if (baseName.isEmpty()) {
        throw new IllegalArgumentException("baseName: \"\" (expected: not empty)");
      }
      if (baseName.endsWith(".properties")) {
        String bare = baseName.substring(0, baseName.length() - ".properties".length());
        throw new IllegalArgumentException(
            "baseName: \""
                + baseName
                + "\" (expected: without .properties, as in baseName(\""
                + bare
                + "\"))");
      }
      CatalogSource source = new CatalogSource(baseName, null, rootLocale, loader);
      if (!source.hasFileFor(Locale.ROOT)
          && !source.hasFileFor(defaultLocale)
          && !source.hasFileFor(rootLocale)) {
        throw new IllegalArgumentException(
            "baseName: \""
                + baseName
                + "\" resolves to no catalog (expected: "
                + source.fileName(Locale.ROOT)
                + " or "
                + source.fileName(defaultLocale)
                + " on the class path of "
                + loader
                + "; a base name is a resource path without the .properties suffix)");
      }
      sources.add(source);
    }
    if (libraryMessages) {
      sources.add(
          new CatalogSource(
              LocalizedMessages.LIBRARY_BASE_NAME,
              LocalizedMessages.LIBRARY_ROOT,
              LocalizedMessages.VALIDATION_ROOT,
              Locale.ENGLISH,
              own));
    }
    return LocalizedMessages.create(sources, defaultLocale);
  }

  private static ClassLoader loaderOf(Class<?> type) {
    ClassLoader loader = type.getClassLoader();
    return loader != null ? loader : ClassLoader.getSystemClassLoader();
  }
}
