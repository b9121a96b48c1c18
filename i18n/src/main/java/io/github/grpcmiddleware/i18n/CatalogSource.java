package io.github.grpcmiddleware.i18n;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.PropertyResourceBundle;
import java.util.ResourceBundle;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One family of {@code .properties} catalogs (a base name and a class loader), read as UTF-8 and
 * cached per locale, including the locales that have no file.
 *
 * <p>This class is thread-safe.
 */
final class CatalogSource {

  private static final Logger logger = LoggerFactory.getLogger(CatalogSource.class);
  private static final ResourceBundle.Control CONTROL =
      ResourceBundle.Control.getControl(ResourceBundle.Control.FORMAT_PROPERTIES);

  /** Marks a locale without a file, so it is looked up once. */
  private static final PropertyResourceBundle MISSING = emptyBundle();

  private static final int MAX_CACHED = 512;

  private final String baseName;
  private final @Nullable String rootPath;
  private final Locale rootLocale;
  private final ClassLoader loader;
  private final ConcurrentHashMap<Locale, PropertyResourceBundle> bundles =
      new ConcurrentHashMap<>();

  /**
   * Creates a source.
   *
   * @param baseName like {@code com/example/messages} (dots are turned into slashes)
   * @param rootPath the resource read for the root locale, or null for {@code baseName.properties}
   * @param rootLocale the language the root file is written in
   * @param loader where the files are read from
   */
  CatalogSource(String baseName, @Nullable String rootPath, Locale rootLocale, ClassLoader loader) {
    this.baseName = baseName.replace('.', '/');
    this.rootPath = rootPath;
    this.rootLocale = rootLocale;
    this.loader = loader;
  }

  Locale rootLocale() {
    return rootLocale;
  }

  /**
   * Returns the pattern for {@code key} in the file of exactly {@code locale}.
   *
   * @param locale a candidate locale; {@link Locale#ROOT} for the root file
   * @return the pattern, or null when that file is missing or lacks the key
   */
  @Nullable String pattern(Locale locale, String key) {
    PropertyResourceBundle bundle = bundles.get(locale);
    if (bundle == null) {
      bundle = load(locale);
      if (bundles.size() >= MAX_CACHED) {
        bundles.clear();
      }
      bundles.put(locale, bundle);
    }
    Object value = bundle.handleGetObject(key);
    return value instanceof String ? (String) value : null;
  }

  private PropertyResourceBundle load(Locale locale) {
    String path =
        locale.equals(Locale.ROOT) && rootPath != null
            ? rootPath
            : CONTROL.toBundleName(baseName, locale) + ".properties";
    InputStream in = loader.getResourceAsStream(path);
    if (in == null) {
      return MISSING;
    }
    try (InputStreamReader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      return new PropertyResourceBundle(reader);
    } catch (IOException | IllegalArgumentException e) {
      logger.warn("Cannot read message catalog {}; ignoring it", path, e);
      return MISSING;
    }
  }

  private static PropertyResourceBundle emptyBundle() {
    try {
      return new PropertyResourceBundle(new java.io.StringReader(""));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public String toString() {
    return baseName;
  }
}
