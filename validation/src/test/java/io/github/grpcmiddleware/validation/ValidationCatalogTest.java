package io.github.grpcmiddleware.validation;

import static org.assertj.core.api.Assertions.assertThat;

import build.buf.validate.PredefinedRules;
import build.buf.validate.Rule;
import build.buf.validate.ValidateProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.rpc.LocalizedMessage;
import io.github.grpcmiddleware.i18n.LocalizedMessages;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.text.MessageFormat;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The English defaults here and the nine translations shipped in the i18n module's catalogs. */
class ValidationCatalogTest {
  private static final String SENTINEL0 = "\u2603ARG0\u2603";
  private static final String SENTINEL1 = "\u2603ARG1\u2603";

  private static Set<String> englishKeys() {
    return new TreeSet<>(RuleMessages.englishPatterns().stringPropertyNames());
  }

  private static Properties translations(String suffix) throws Exception {
    String path = "io/github/grpcmiddleware/i18n/messages_" + suffix + ".properties";
    Properties properties = new Properties();
    try (InputStream in = ValidationCatalogTest.class.getClassLoader().getResourceAsStream(path)) {
      assertThat(in).as(path).isNotNull();
      properties.load(new InputStreamReader(Objects.requireNonNull(in), StandardCharsets.UTF_8));
    }
    return properties;
  }

  /**
   * Every rule id protovalidate's own CEL rules declare, plus the two it checks natively ({@code
   * required}, {@code enum.defined_only}; both are asserted on the wire in ValidationMessagesTest).
   */
  private static Set<String> protovalidateRuleIds() {
    Set<String> ids = new TreeSet<>();
    ids.add("required");
    ids.add("enum.defined_only");
    for (Descriptor type : ValidateProto.getDescriptor().getMessageTypes()) {
      for (FieldDescriptor field : type.getFields()) {
        if (field.getOptions().hasExtension(ValidateProto.predefined)) {
          PredefinedRules rules = field.getOptions().getExtension(ValidateProto.predefined);
          for (Rule rule : rules.getCelList()) {
            ids.add(RuleMessages.normalize(rule.getId()));
          }
        }
      }
    }
    return ids;
  }

  @Test
  void everyKeyIsAProtovalidateRuleAndTheCommonOnesAreCovered() {
    Set<String> ids =
        englishKeys().stream()
            .map(key -> key.substring(Validation.MESSAGE_KEY_PREFIX.length()))
            .collect(Collectors.toCollection(TreeSet::new));

    assertThat(protovalidateRuleIds()).containsAll(ids);
    assertThat(ids)
        .contains(
            "required",
            "string.min_len",
            "string.max_len",
            "string.len",
            "string.pattern",
            "string.email",
            "string.uuid",
            "number.gt",
            "number.gte",
            "number.lt",
            "number.lte",
            "number.gte_lte",
            "repeated.min_items",
            "repeated.max_items",
            "enum.defined_only");
  }

  @ParameterizedTest
  @ValueSource(strings = {"zh_CN", "zh_TW", "ja", "ko", "es", "fr", "de", "pt_BR", "ru"})
  void everyLanguageHasExactlyTheEnglishKeys(String suffix) throws Exception {
    Set<String> translated =
        translations(suffix).stringPropertyNames().stream()
            .filter(key -> key.startsWith(Validation.MESSAGE_KEY_PREFIX))
            .collect(Collectors.toCollection(TreeSet::new));

    assertThat(translated).containsExactlyElementsOf(englishKeys());
  }

  @ParameterizedTest
  @ValueSource(strings = {"en", "zh_CN", "zh_TW", "ja", "ko", "es", "fr", "de", "pt_BR", "ru"})
  void everyPatternShowsItsArgumentsAndEveryApostrophe(String suffix) throws Exception {
    Properties english = RuleMessages.englishPatterns();
    Properties patterns = suffix.equals("en") ? english : translations(suffix);
    Locale locale = Locale.forLanguageTag(suffix.replace('_', '-'));
    for (String key : englishKeys()) {
      String pattern = patterns.getProperty(key);
      int expected = new MessageFormat(english.getProperty(key)).getFormatsByArgumentIndex().length;
      MessageFormat format = new MessageFormat(pattern, locale);
      assertThat(format.getFormatsByArgumentIndex()).as(suffix + " " + key).hasSize(expected);
      String formatted = format.format(new Object[] {SENTINEL0, SENTINEL1});
      String literal =
          pattern.replace("''", "'").replace("{0}", SENTINEL0).replace("{1}", SENTINEL1);
      assertThat(formatted).as(suffix + " " + key).isEqualTo(literal).doesNotContain("{", "}");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"zh-CN", "zh-TW", "ja", "ko", "es", "fr", "de", "pt-BR", "ru"})
  void resolvesEveryKeyInEveryShippedLanguage(String tag) {
    LocalizedMessages messages = LocalizedMessages.builder().build();
    Locale locale = Locale.forLanguageTag(tag);
    List<Object> args = Arrays.asList(3, 10);
    for (String key : englishKeys()) {
      LocalizedMessage message = messages.resolve(locale, key, args);
      assertThat(message).as(key).isNotNull();
      assertThat(Objects.requireNonNull(message).getLocale()).isEqualTo(tag);
      assertThat(message.getMessage()).isNotBlank();
    }
  }

  @Test
  void englishCallersGetTheModulesDefaultsThroughTheLibrarysRootCatalog() {
    // The i18n catalogs have no English file: LocalizedMessages reads this module's English
    // defaults as part of the library's root (so it resolves them instead of warning that no
    // catalog has the key), the same text validation falls back to on its own.
    LocalizedMessages messages = LocalizedMessages.builder().build();
    LocalizedMessage message =
        messages.resolve(Locale.ENGLISH, Validation.messageKey("string.min_len"), List.of(1));
    assertThat(message).isNotNull();
    assertThat(Objects.requireNonNull(message).getLocale()).isEqualTo("en");
    assertThat(message.getMessage()).isEqualTo("Length must be at least 1.");
    assertThat(RuleMessages.englishPatterns().getProperty(Validation.messageKey("string.min_len")))
        .isEqualTo("Length must be at least {0}.");
  }
}
