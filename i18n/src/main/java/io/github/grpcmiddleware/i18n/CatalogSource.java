package io.github.grpcmiddleware.i18n;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.SequenceInputStream;
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
  private final @Nullable String rootAddition;
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
    this(baseName, rootPath, null, rootLocale, loader);
  }

  /**
   * Creates a source whose root file is {@code rootPath} followed by {@code rootAddition} when that
   * resource exists (the library's root: core's English messages and, when the validation module is
   * on the class path, its English rule descriptions).
   */
  CatalogSource(
      String baseName,
      @Nullable String rootPath,
      @Nullable String rootAddition,
      Locale rootLocale,
      ClassLoader loader) {
    this.baseName = baseName.replace('.', '/');
    this.rootPath = rootPath;
    this.rootAddition = rootAddition;
    this.rootLocale = rootLocale;
    this.loader = loader;
  }

  Locale rootLocale() {
    return rootLocale;
  }

  /** Whether the file of exactly {@code locale} (or one of its candidates) exists. */
  boolean hasFileFor(Locale locale) {
    for (Locale candidate : CONTROL.getCandidateLocales("", locale)) {
      if (bundle(candidate) != MISSING) {
        return true;
      }
    }
    return false;
  }

  /** The resource path of the file for exactly {@code locale}. */
  String fileName(Locale locale) {
    return locale.equals(Locale.ROOT) && rootPath != null
        ? rootPath
        : CONTROL.toBundleName(baseName, locale) + ".properties";
  }

  /**
   * Returns the pattern for {@code key} in the file of exactly {@code locale}.
   *
   * @param locale a candidate locale; {@link Locale#ROOT} for the root file
   * @return the pattern, or null when that file is missing or lacks the key
   */
  @Nullable String pattern(Locale locale, String key) {
    Object value = bundle(locale).handleGetObject(key);
    return value instanceof String ? (String) value : null;
  }

  private PropertyResourceBundle bundle(Locale locale) {
    PropertyResourceBundle bundle = bundles.get(locale);
    if (bundle == null) {
      bundle = load(locale);
      if (bundles.size() >= MAX_CACHED) {
        bundles.clear();
      }
      bundles.put(locale, bundle);
    }
    return bundle;
  }

  private PropertyResourceBundle load(Locale locale) {
    String path = fileName(locale);
    InputStream in = loader.getResourceAsStream(path);
    if (in == null) {
      return MISSING;
    }
    InputStream addition =
        locale.equals(Locale.ROOT) && rootAddition != null
            ? loader.getResourceAsStream(rootAddition)
            : null;
    if (addition != null) {
      InputStream lineBreak = new ByteArrayInputStream(new byte[] {'\n'});
      in = new SequenceInputStream(new SequenceInputStream(in, lineBreak), addition);
    }
    PropertyResourceBundle bundle;
    try (InputStreamReader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      bundle = new PropertyResourceBundle(reader);
    } catch (IOException | IllegalArgumentException e) {
      logger.warn("Cannot read message catalog {}; ignoring it", path, e);
      return MISSING;
    }
    for (String key : bundle.keySet()) {
      Object value = bundle.handleGetObject(key);
      if (value instanceof String && hasLoneApostropheBeforeLetter((String) value)) {
        logger.warn(
            "Message catalog {}: {} has a single ' before a letter, which MessageFormat drops"
                + " together with the quoting it starts (\"isn't {0}\" is sent as \"isnt {0}\");"
                + " write '' for an apostrophe",
            path, key);
      }
    }
    return bundle;
  }

  /**
   * Whether {@code pattern} has a {@code '} that is not doubled and is followed by a letter: in a
   * MessageFormat pattern that is always a mistake (letters need no quoting), usually an apostrophe
   * written as in plain text.
   */
  static boolean hasLoneApostropheBeforeLetter(String pattern) {
    for (int i = 0; i < pattern.length(); i++) {
      if (pattern.charAt(i) != '\'') {
        continue;
      }
      if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '\'') {
        i++; // '' is an apostrophe
        continue;
      }
      if (i + 1 < pattern.length() && Character.isLetter(pattern.charAt(i + 1))) {
        return true;
      }
    }
    return false;
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
