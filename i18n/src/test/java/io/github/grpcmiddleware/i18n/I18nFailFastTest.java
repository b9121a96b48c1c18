package io.github.grpcmiddleware.i18n;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.grpc.Context;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Mistakes in catalogs and locales are reported at build(), or once per key at WARN. */
class I18nFailFastTest {

  @RegisterExtension
  final LogCapture messagesLog = LogCapture.forLogger(LocalizedMessages.class).atLevel("DEBUG");

  @RegisterExtension
  final LogCapture catalogLog = LogCapture.forLogger(CatalogSource.class).atLevel("DEBUG");

  @Test
  void aBaseNameWithoutAnyFileFailsAtBuildNamingTheFilesItLookedFor() {
    assertThatThrownBy(() -> LocalizedMessages.builder().baseName("com/acme/mesages").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "baseName: \"com/acme/mesages\" resolves to no catalog (expected:"
                + " com/acme/mesages.properties or com/acme/mesages_en.properties on the class"
                + " path of ")
        .hasMessageEndingWith("a base name is a resource path without the .properties suffix)");
  }

  @Test
  void aBaseNameWrittenAsAFileNameFailsAtBuildWithTheNameToWrite() {
    assertThatThrownBy(
            () -> LocalizedMessages.builder().baseName("com/example/messages.properties").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "baseName: \"com/example/messages.properties\" (expected: without .properties, as in"
                + " baseName(\"com/example/messages\"))");
  }

  @Test
  void aCatalogWithOnlyTheDefaultLocalesFileIsAccepted() {
    // test/i18n/onlyde has only onlyde_de.properties: found through the default locale.
    LocalizedMessages messages =
        LocalizedMessages.builder()
            .baseName("test/i18n/onlyde")
            .defaultLocale(Locale.GERMAN)
            .build();
    assertThat(messages.resolve(Locale.FRENCH, "greeting", Collections.singletonList("Welt")))
        .isNotNull();
    assertThatThrownBy(() -> LocalizedMessages.builder().baseName("test/i18n/onlyde").build())
        .hasMessageContaining(
            "\"test/i18n/onlyde\" resolves to no catalog (expected: test/i18n/onlyde.properties"
                + " or test/i18n/onlyde_en.properties");
  }

  @Test
  void aMissingKeyIsLoggedOncePerKeyAtWarn() {
    LocalizedMessages messages = LocalizedMessages.builder().baseName("test/i18n/app").build();
    for (int i = 0; i < 3; i++) {
      assertThat(
              messages.resolve(Locale.SIMPLIFIED_CHINESE, "user.nofound", Collections.emptyList()))
          .isNull();
    }
    assertThat(messages.resolve(Context.ROOT, "user.gone", Collections.emptyList())).isNull();

    List<LoggedEvent> warnings =
        messagesLog.events().stream()
            .filter(e -> e.level().equals("WARN"))
            .collect(Collectors.toList());
    assertThat(warnings).hasSize(2);
    assertThat(warnings.get(0).message())
        .isEqualTo(
            "No message catalog has the key user.nofound (looked in [test/i18n/app,"
                + " io/github/grpcmiddleware/i18n/messages] for zh-CN): the caller gets the"
                + " exception's default message or the generic text of its code; add"
                + " user.nofound=... to the catalogs");
    assertThat(warnings.get(1).message()).contains("the key user.gone ");
  }

  @Test
  void aDefaultLocaleOutsideTheSupportedOnesFailsAtBuild() {
    assertThatThrownBy(
            () ->
                Locales.serverBuilder()
                    .supported(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE)
                    .defaultLocale(Locale.JAPANESE)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "defaultLocale: ja (expected: one of supported [en, zh-CN]; add it to"
                + " supported(...) or choose one of them)");
  }

  @Test
  @SuppressWarnings("NullAway")
  void nullsAreRejectedWhereTheyEnter() {
    assertThatThrownBy(() -> LocalizedMessages.builder().baseName(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("baseName");
    assertThatThrownBy(() -> Locales.serverBuilder().supported(Locale.ENGLISH, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("locales[1]");
    assertThatThrownBy(() -> Locales.serverBuilder().defaultLocale(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("locale");
  }

  @Test
  void aSingleApostropheBeforeALetterIsLoggedWhenTheCatalogIsRead() {
    LocalizedMessages messages =
        LocalizedMessages.builder().baseName("test/i18n/apostrophe").build();

    List<LoggedEvent> warnings =
        catalogLog.events().stream()
            .filter(e -> e.level().equals("WARN"))
            .collect(Collectors.toList());
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).message())
        .isEqualTo(
            "Message catalog test/i18n/apostrophe.properties: item.gone has a single ' before a"
                + " letter, which MessageFormat drops together with the quoting it starts"
                + " (\"isn't {0}\" is sent as \"isnt {0}\"); write '' for an apostrophe");
    assertThat(
            Objects.requireNonNull(
                    messages.resolve(Locale.ENGLISH, "item.kept", Collections.singletonList("ZZ")))
                .getMessage())
        .isEqualTo("Item ZZ isn't here");
  }
}
