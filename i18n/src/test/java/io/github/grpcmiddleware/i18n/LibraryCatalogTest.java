package io.github.grpcmiddleware.i18n;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.LocalizedMessage;
import io.github.grpcmiddleware.errors.MessageKeys;
import io.github.grpcmiddleware.testing.CatalogAssertions;
import io.grpc.Status;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.PropertyResourceBundle;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Checks every translation the library ships. */
class LibraryCatalogTest {

  static final String VALIDATION_PREFIX = "grpcmiddleware.validation.";

  static List<String> allKeys() {
    List<String> keys =
        new ArrayList<>(
            Arrays.asList(
                MessageKeys.INTERNAL,
                MessageKeys.INTERNAL_NO_TRACE_ID,
                MessageKeys.AUTH_MISSING,
                MessageKeys.AUTH_MALFORMED,
                MessageKeys.AUTH_INVALID,
                MessageKeys.AUTH_DENIED,
                MessageKeys.AUTH_INSECURE,
                MessageKeys.AUTH_UNAVAILABLE,
                MessageKeys.LIMIT_CONCURRENCY,
                MessageKeys.LIMIT_RATE,
                MessageKeys.LIMIT_UNAVAILABLE,
                MessageKeys.DEADLINE_REQUIRED,
                MessageKeys.DEADLINE_CAPPED));
    for (Status.Code code : Status.Code.values()) {
      if (code != Status.Code.OK) {
        keys.add(MessageKeys.forCode(code));
      }
    }
    return keys;
  }

  /** Loads a shipped catalog; {@code "root"} is core's English one. */
  private static PropertyResourceBundle load(String suffix) throws Exception {
    String path =
        suffix.equals("root")
            ? LocalizedMessages.LIBRARY_ROOT
            : LocalizedMessages.LIBRARY_BASE_NAME + "_" + suffix + ".properties";
    try (InputStream in = LibraryCatalogTest.class.getClassLoader().getResourceAsStream(path)) {
      assertThat(in).as(path).isNotNull();
      return new PropertyResourceBundle(
          new InputStreamReader(Objects.requireNonNull(in), StandardCharsets.UTF_8));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"root", "zh_CN", "zh_TW", "ja", "ko", "es", "fr", "de", "pt_BR", "ru"})
  void hasEveryKeyAndNothingElse(String suffix) throws Exception {
    Set<String> keys = new TreeSet<>(load(suffix).keySet());
    // The validation module's keys (its English root lives there) are checked by its own
    // ValidationCatalogTest.
    keys.removeIf(key -> key.startsWith(VALIDATION_PREFIX));
    assertThat(keys).containsExactlyInAnyOrderElementsOf(allKeys());
  }

  @ParameterizedTest
  @ValueSource(strings = {"root", "zh_CN", "zh_TW", "ja", "ko", "es", "fr", "de", "pt_BR", "ru"})
  void everyPatternShowsEverySentinelAndEveryApostrophe(String suffix) throws Exception {
    PropertyResourceBundle bundle = load(suffix);
    Locale locale =
        suffix.equals("root") ? Locale.ENGLISH : Locale.forLanguageTag(suffix.replace('_', '-'));
    for (String key : allKeys()) {
      String pattern = bundle.getString(key);
      MessageFormat format = new MessageFormat(pattern, locale);
      int argumentCount = format.getFormatsByArgumentIndex().length;
      boolean oneArgument =
          key.equals(MessageKeys.INTERNAL) || key.equals(MessageKeys.DEADLINE_CAPPED);
      assertThat(argumentCount).as(key).isEqualTo(oneArgument ? 1 : 0);
      Object[] sentinels = {"\u2603ARG0\u2603"};
      String formatted = format.format(sentinels);
      for (int i = 0; i < argumentCount; i++) {
        assertThat(formatted).as(suffix + " " + key).contains((String) sentinels[i]);
      }
      // Outside the placeholders the text must come out as written: a single ' would vanish.
      String literal = pattern.replace("''", "'").replace("{0}", (String) sentinels[0]);
      assertThat(formatted).as(suffix + " " + key).isEqualTo(literal);
      assertThat(formatted).as(suffix + " " + key).doesNotContain("{", "}").isNotBlank();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"root", "zh_CN", "zh_TW", "ja", "ko", "es", "fr", "de", "pt_BR", "ru"})
  void passesTheCheckOfferedToUsers(String suffix) {
    String path =
        suffix.equals("root")
            ? LocalizedMessages.LIBRARY_ROOT
            : LocalizedMessages.LIBRARY_BASE_NAME + "_" + suffix + ".properties";
    Locale locale =
        suffix.equals("root") ? Locale.ENGLISH : Locale.forLanguageTag(suffix.replace('_', '-'));
    CatalogAssertions.assertEveryMessageFormats(path, locale);
  }

  @ParameterizedTest
  @ValueSource(strings = {"en", "zh-CN", "zh-TW", "ja", "ko", "es", "fr", "de", "pt-BR", "ru"})
  void resolvesEveryKeyInEveryShippedLocale(String tag) {
    LocalizedMessages messages = LocalizedMessages.builder().build();
    Locale locale = Locale.forLanguageTag(tag);
    for (String key : allKeys()) {
      LocalizedMessage message =
          messages.resolve(
              locale, key, Collections.singletonList("0af7651916cd43dd8448eb211c80319c"));
      assertThat(message).as(key).isNotNull();
      assertThat(Objects.requireNonNull(message).getLocale()).isEqualTo(tag);
      if (key.equals(MessageKeys.INTERNAL)) {
        assertThat(message.getMessage()).contains("0af7651916cd43dd8448eb211c80319c");
      }
    }
  }
}
