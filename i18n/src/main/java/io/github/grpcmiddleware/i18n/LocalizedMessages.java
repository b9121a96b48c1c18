package io.github.grpcmiddleware.i18n;

import com.google.rpc.LocalizedMessage;
import io.github.grpcmiddleware.errors.MessageResolver;
import io.grpc.Context;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Message catalogs that turn a key and its arguments into text in the caller's language; the {@link
 * MessageResolver} that error mapping uses for localized descriptions and {@code
 * google.rpc.LocalizedMessage} details.
 *
 * <pre>{@code
 * LocalizedMessages messages =
 *     LocalizedMessages.builder().baseName("com/example/messages").build();
 * ServerInterceptor errors = ErrorMapping.serverBuilder().messageResolver(messages).build();
 * }</pre>
 *
 * <p>Catalogs are UTF-8 {@code .properties} files named like ResourceBundles ({@code
 * com/example/messages_zh_CN.properties}); every value is a {@link MessageFormat} pattern, so an
 * apostrophe is written {@code ''} and ids are written {@code {0,number,#}}. For a caller's locale
 * the files are tried in this order: the candidates of the caller's locale ({@code de_CH}, then
 * {@code de}), then those of the default locale, then the root file. A language also falls back to
 * the regional locale CLDR's likely subtags give for it, where the library's catalogs are: {@code
 * pt} and {@code pt_PT} try {@code pt_BR} after {@code pt}; Chinese adds {@code zh_TW} to
 * Traditional locales ({@code zh_HK}, {@code zh_Hant}) and {@code zh_CN} to Simplified ones ({@code
 * zh_SG}) before the bare {@code zh} (which is Simplified), and {@code zh_CN} after it for a bare
 * {@code zh} caller. At each locale the service's catalogs (in the order their base names were
 * added) come before the library's, whose root is core's English {@code
 * io/github/grpcmiddleware/errors/default-messages.properties} (plus, when the validation module is
 * on the class path, its English {@code
 * io/github/grpcmiddleware/validation/default-messages.properties}). The JVM's default locale is
 * never consulted.
 *
 * <p>Arguments are formatted in the caller's locale when the text is in the caller's language, else
 * in the text's locale. A key that no catalog has gives {@code null} and is logged once per key at
 * WARN; a broken file or pattern is skipped (logged once at WARN), and a file whose text has a
 * single {@code '} before a letter (an apostrophe MessageFormat would drop) is logged at WARN when
 * it is read; nothing here throws after {@link LocalizedMessagesBuilder#build()}, which fails when
 * a base name resolves to no file. Files are read once and cached, including the fact that a file
 * is missing.
 *
 * <p>Place the {@linkplain Locales#serverBuilder() locale interceptor} outside error mapping so the
 * call's Context holds the caller's locale. This class is immutable and thread-safe.
 */
public final class LocalizedMessages implements MessageResolver {

  /** Base name of the library's translations. */
  static final String LIBRARY_BASE_NAME = "io/github/grpcmiddleware/i18n/messages";

  /** The library's English root catalog, owned by core. */
  static final String LIBRARY_ROOT = "io/github/grpcmiddleware/errors/default-messages.properties";

  /**
   * The validation module's English rule descriptions, read after {@link #LIBRARY_ROOT} when that
   * module is on the class path (the translations are in this module's catalogs).
   */
  static final String VALIDATION_ROOT =
      "io/github/grpcmiddleware/validation/default-messages.properties";

  private static final Logger logger = LoggerFactory.getLogger(LocalizedMessages.class);
  private static final java.util.ResourceBundle.Control CONTROL =
      java.util.ResourceBundle.Control.getControl(
          java.util.ResourceBundle.Control.FORMAT_PROPERTIES);
  private static final int MAX_CACHED = 256;
  private static final int MAX_REPORTED = 1024;

  private final List<CatalogSource> sources;
  private final Locale defaultLocale;
  private final ConcurrentHashMap<Locale, List<Locale>> chains = new ConcurrentHashMap<>();
  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  private LocalizedMessages(List<CatalogSource> sources, Locale defaultLocale) {
    this.sources = sources;
    this.defaultLocale = defaultLocale;
  }

  /**
   * Returns a new builder.
   *
   * @return a builder with no service catalogs, the library's catalogs and English as default
   */
  public static LocalizedMessagesBuilder builder() {
    return new LocalizedMessagesBuilder();
  }

  static LocalizedMessages create(List<CatalogSource> sources, Locale defaultLocale) {
    return new LocalizedMessages(
        Collections.unmodifiableList(new ArrayList<>(sources)), defaultLocale);
  }

  /**
   * Resolves {@code key} in the locale held in {@code callContext} (see {@link
   * Locales#fromContext}), or in the default locale when it holds none ({@link Context#ROOT}).
   *
   * @param callContext the call's Context, captured when the call started; not null
   * @param key the message key; not null
   * @param args the arguments, formatted in the resolved locale; not null, may be empty
   * @return the text with the BCP-47 tag of the catalog it came from, or null when no catalog has
   *     the key
   */
  @Override
  public @Nullable LocalizedMessage resolve(Context callContext, String key, List<?> args) {
    Objects.requireNonNull(callContext, "callContext");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(args, "args");
    Locale locale = Locales.fromContext(callContext);
    return resolve(locale == null ? defaultLocale : locale, key, args);
  }

  /**
   * Resolves {@code key} in the given locale, for handlers that localize their own text.
   *
   * @param locale the wanted locale, for example {@link Locales#current()}; not null
   * @param key the message key; not null
   * @param args the arguments; not null, may be empty
   * @return the text with the BCP-47 tag of the catalog it came from, or null when no catalog has
   *     the key
   */
  public @Nullable LocalizedMessage resolve(Locale locale, String key, List<?> args) {
    Objects.requireNonNull(locale, "locale");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(args, "args");
    try {
      for (Locale candidate : chain(locale)) {
        for (CatalogSource source : sources) {
          String pattern = source.pattern(candidate, key);
          if (pattern == null) {
            continue;
          }
          Locale textLocale = candidate.equals(Locale.ROOT) ? source.rootLocale() : candidate;
          Locale formatLocale =
              textLocale.getLanguage().equals(locale.getLanguage()) ? locale : textLocale;
          try {
            String text = new MessageFormat(pattern, formatLocale).format(args.toArray());
            return LocalizedMessage.newBuilder()
                .setLocale(textLocale.toLanguageTag())
                .setMessage(text)
                .build();
          } catch (IllegalArgumentException e) {
            if (reportOnce(source + "_" + candidate + ":" + key)) {
              logger.warn(
                  "Cannot format message {} from catalog {} ({}); trying the next one",
                  key,
                  source,
                  candidate,
                  e);
            }
          }
        }
      }
      if (reportOnce(key)) {
        logger.warn(
            "No message catalog has the key {} (looked in {} for {}): the caller gets the"
                + " exception's default message or the generic text of its code; add {}=... to"
                + " the catalogs",
            key,
            sources,
            locale.toLanguageTag(),
            key);
      }
    } catch (RuntimeException e) {
      logger.warn("Cannot resolve message {}", key, e);
    }
    return null;
  }

  private boolean reportOnce(String what) {
    return reported.size() < MAX_REPORTED && reported.add(what);
  }

  /** The candidate locales for {@code locale}, ending with the root. */
  private List<Locale> chain(Locale locale) {
    List<Locale> chain = chains.get(locale);
    if (chain == null) {
      Set<Locale> candidates = new LinkedHashSet<>();
      addCandidates(candidates, locale);
      addCandidates(candidates, defaultLocale);
      candidates.add(Locale.ROOT);
      chain = Collections.unmodifiableList(new ArrayList<>(candidates));
      if (chains.size() >= MAX_CACHED) {
        chains.clear();
      }
      chains.put(locale, chain);
    }
    return chain;
  }

  /**
   * Adds the JDK's candidates of {@code locale}, with the regional locale its language is most
   * likely written for ({@link LikelySubtags#likelyRegional}) and that one's regional candidates:
   * the library ships {@code pt_BR} and {@code zh_CN}, not {@code pt} or {@code zh}. In a language
   * written in several scripts they come before the bare language, which means its default script
   * ({@code zh_HK} tries {@code zh_TW} before {@code zh}); otherwise, and for a bare-language
   * caller, after it ({@code pt} tries {@code pt_BR} after {@code pt}).
   */
  private static void addCandidates(Set<Locale> into, Locale locale) {
    List<Locale> candidates = new ArrayList<>(CONTROL.getCandidateLocales("", locale));
    candidates.remove(Locale.ROOT);
    Locale regional = LikelySubtags.likelyRegional(locale);
    int bare = bareLanguage(candidates);
    if (regional != null && bare >= 0) {
      // Script forms (pt_BR_#Latn) only where the script tells catalogs apart (zh_TW_#Hant).
      boolean multiScript = LikelySubtags.isMultiScript(locale.getLanguage());
      List<Locale> extra = new ArrayList<>();
      for (Locale candidate : CONTROL.getCandidateLocales("", regional)) {
        if (!candidate.getCountry().isEmpty()
            && (multiScript || candidate.getScript().isEmpty())
            && !candidates.contains(candidate)
            && LikelySubtags.maximize(candidate.toLanguageTag().toLowerCase(Locale.ROOT))
                .script
                .equalsIgnoreCase(regional.getScript())) {
          extra.add(candidate);
        }
      }
      boolean before = multiScript && bare > 0; // the caller is not the bare language
      candidates.addAll(before ? bare : bare + 1, extra);
    }
    into.addAll(candidates);
  }

  private static int bareLanguage(List<Locale> candidates) {
    for (int i = 0; i < candidates.size(); i++) {
      Locale candidate = candidates.get(i);
      if (candidate.getScript().isEmpty()
          && candidate.getCountry().isEmpty()
          && candidate.getVariant().isEmpty()) {
        return i;
      }
    }
    return -1;
  }
}
