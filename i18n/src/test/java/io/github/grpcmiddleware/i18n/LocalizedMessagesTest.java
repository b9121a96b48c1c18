package io.github.grpcmiddleware.i18n;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.LocalizedMessage;
import io.github.grpcmiddleware.testing.LogCapture;
import io.grpc.Context;
import java.text.DateFormat;
import java.text.NumberFormat;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LocalizedMessagesTest {

  private static final LocalizedMessages MESSAGES =
      LocalizedMessages.builder().baseName("test/i18n/app").build();

  @RegisterExtension final LogCapture logs = LogCapture.forLogger(LocalizedMessages.class);

  private static LocalizedMessage resolve(
      LocalizedMessages messages, @Nullable Locale caller, String key, Object... args) {
    // Context.ROOT holds no locale: the default one.
    LocalizedMessage message =
        caller == null
            ? messages.resolve(Context.ROOT, key, Arrays.asList(args))
            : messages.resolve(caller, key, Arrays.asList(args));
    return Objects.requireNonNull(message, key);
  }

  private static String text(LocalizedMessage message) {
    return message.getLocale() + ": " + message.getMessage();
  }

  @Test
  void resolvesInTheCallersLocaleReadAsUtf8() {
    assertThat(text(resolve(MESSAGES, Locale.SIMPLIFIED_CHINESE, "greeting", "世界")))
        .isEqualTo("zh-CN: 你好，世界！");
    assertThat(text(resolve(MESSAGES, Locale.GERMAN, "greeting", "Welt")))
        .isEqualTo("de: Hallo, Welt!");
  }

  @Test
  void rootContextMeansTheDefaultLocale() {
    assertThat(text(resolve(MESSAGES, null, "greeting", "world"))).isEqualTo("en: Hello, world!");
    LocalizedMessages german =
        LocalizedMessages.builder().baseName("test/i18n/app").defaultLocale(Locale.GERMAN).build();
    assertThat(text(resolve(german, null, "greeting", "Welt"))).isEqualTo("de: Hallo, Welt!");
  }

  @Test
  void fallsBackThroughRegionThenDefaultThenRoot() {
    assertThat(text(resolve(MESSAGES, Locale.forLanguageTag("de-CH"), "greeting", "x")))
        .isEqualTo("de: Hallo, x!");
    assertThat(text(resolve(MESSAGES, Locale.forLanguageTag("zh-SG"), "greeting", "x")))
        .isEqualTo("zh-CN: 你好，x！");
    LocalizedMessages german =
        LocalizedMessages.builder().baseName("test/i18n/app").defaultLocale(Locale.GERMAN).build();
    assertThat(text(resolve(german, Locale.JAPANESE, "greeting", "x"))).isEqualTo("de: Hallo, x!");
    // de has no user.notFound: the root (English) answers, tagged with the root's language.
    assertThat(text(resolve(german, Locale.JAPANESE, "user.notFound", 7)))
        .isEqualTo("en: User 7 was not found.");
  }

  @Test
  void aLanguageFallsBackToTheLibrarysRegionalCatalogBeforeTheDefault() {
    LocalizedMessages library = LocalizedMessages.builder().build();
    for (String tag : new String[] {"pt", "pt-PT", "pt-AO"}) {
      assertThat(
              text(resolve(library, Locale.forLanguageTag(tag), "grpcmiddleware.code.NOT_FOUND")))
          .as(tag)
          .startsWith("pt-BR: ");
    }
    assertThat(text(resolve(library, Locale.forLanguageTag("zh"), "grpcmiddleware.code.NOT_FOUND")))
        .startsWith("zh-CN: ");
    assertThat(
            text(resolve(library, Locale.forLanguageTag("zh-HK"), "grpcmiddleware.code.NOT_FOUND")))
        .startsWith("zh-TW: ");
  }

  @Test
  void numbersAndDatesAreFormattedInTheCallersLocale() {
    Date date = new Date(1_700_000_000_000L);
    for (String tag : new String[] {"en", "en-GB", "de", "de-CH", "zh-CN"}) {
      Locale locale = Locale.forLanguageTag(tag);
      LocalizedMessage message = resolve(MESSAGES, locale, "order.shipped", 1234567, date, 1234.5);
      // Expected values come from the running JDK's formatters (JDK 25's CLDR differs from 17's).
      String day = DateFormat.getDateInstance(DateFormat.LONG, locale).format(date);
      String total = NumberFormat.getInstance(locale).format(1234.5);
      assertThat(message.getMessage()).contains("1234567", day, total);
    }
  }

  @Test
  void idsAreNeverGrouped() {
    assertThat(resolve(MESSAGES, Locale.SIMPLIFIED_CHINESE, "user.notFound", 1234567).getMessage())
        .isEqualTo("未找到用户 1234567。");
  }

  @Test
  void apostrophesSurviveFormatting() {
    assertThat(text(resolve(MESSAGES, Locale.FRENCH, "quote", "ça"))).isEqualTo("fr: C'est ça.");
    assertThat(text(resolve(MESSAGES, Locale.ENGLISH, "quote", "it"))).isEqualTo("en: It's it.");
  }

  @Test
  void missingKeyGivesNullAndLogsOnceAtWarn() {
    LocalizedMessages messages = LocalizedMessages.builder().baseName("test/i18n/app").build();
    List<Object> none = Collections.emptyList();
    assertThat(messages.resolve(Context.ROOT, "no.such.key", none)).isNull();
    assertThat(messages.resolve(Locale.JAPANESE, "no.such.key", none)).isNull();
    assertThat(logs.events())
        .filteredOn(e -> e.message().contains("no.such.key"))
        .singleElement()
        .satisfies(e -> assertThat(e.level()).isEqualTo("WARN"));
  }

  @Test
  void brokenPatternFallsBackAndWarnsOnce() {
    LocalizedMessages messages = LocalizedMessages.builder().baseName("test/i18n/app").build();
    assertThat(text(resolve(messages, Locale.GERMAN, "broken", "x"))).isEqualTo("en: Fine x.");
    assertThat(text(resolve(messages, Locale.GERMAN, "broken", "y"))).isEqualTo("en: Fine y.");
    assertThat(logs.events("WARN")).hasSize(1);
  }

  @Test
  void serviceCatalogsOverrideTheLibrarysAtTheSameLocale() {
    assertThat(text(resolve(MESSAGES, Locale.SIMPLIFIED_CHINESE, "grpcmiddleware.code.NOT_FOUND")))
        .isEqualTo("zh-CN: 应用：找不到资源。");
    assertThat(text(resolve(MESSAGES, Locale.JAPANESE, "grpcmiddleware.code.NOT_FOUND")))
        .isEqualTo("ja: 要求されたリソースが見つかりません。");
    // A more specific locale wins over precedence: the library's French beats the service's root.
    assertThat(text(resolve(MESSAGES, Locale.FRENCH, "grpcmiddleware.code.UNAVAILABLE")))
        .isEqualTo("fr: Le service est momentanément indisponible. Veuillez réessayer plus tard.");
    assertThat(text(resolve(MESSAGES, Locale.ENGLISH, "grpcmiddleware.code.UNAVAILABLE")))
        .isEqualTo("en: The app is down.");
  }

  @Test
  void libraryMessagesCanBeLeftOut() {
    LocalizedMessages own =
        LocalizedMessages.builder().baseName("test.i18n.app").libraryMessages(false).build();
    assertThat(
            own.resolve(Locale.JAPANESE, "grpcmiddleware.code.NOT_FOUND", Collections.emptyList()))
        .isNull();
    assertThat(text(resolve(own, Locale.GERMAN, "greeting", "x"))).isEqualTo("de: Hallo, x!");
  }

  @Test
  void rootLocaleNamesTheLanguageOfTheServiceRootCatalog() {
    LocalizedMessages messages =
        LocalizedMessages.builder().baseName("test/i18n/app").rootLocale(Locale.UK).build();
    assertThat(text(resolve(messages, Locale.JAPANESE, "quote", "x"))).isEqualTo("en-GB: It's x.");
  }

  @Test
  void builderValidates() {
    assertThatThrownBy(() -> LocalizedMessages.builder().libraryMessages(false).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("baseNames: [] (expected: at least one, or library messages)");
    assertThatThrownBy(() -> LocalizedMessages.builder().defaultLocale(Locale.ROOT).build())
        .hasMessage("defaultLocale: root (expected: a language)");
    assertThatThrownBy(() -> LocalizedMessages.builder().baseName("").build())
        .hasMessage("baseName: \"\" (expected: not empty)");
  }
}
