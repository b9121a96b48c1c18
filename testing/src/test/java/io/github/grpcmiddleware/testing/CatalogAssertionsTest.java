package io.github.grpcmiddleware.testing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CatalogAssertionsTest {

  @Test
  void aCatalogWrittenForMessageFormatPasses() {
    assertThatCode(
            () ->
                CatalogAssertions.assertEveryMessageFormats(
                    "catalogs/good.properties", Locale.ENGLISH))
        .doesNotThrowAnyException();
    Map<String, String> patterns = new LinkedHashMap<>();
    patterns.put("quoted.brace", "Use '{' and '}' around {0}, it''s fine");
    patterns.put("date", "Since {0,date,yyyy-MM-dd}");
    patterns.put("choice", "{0,choice,0#no files|1#one file|1<{0} files}");
    assertThatCode(() -> CatalogAssertions.assertEveryMessageFormats(patterns, Locale.FRENCH))
        .doesNotThrowAnyException();
  }

  @Test
  void everyTrapIsReportedByKeyInOneFailure() {
    Map<String, String> patterns = new LinkedHashMap<>();
    patterns.put("item.gone", "Item {0} isn't here");
    patterns.put("user.unknown", "L'utilisateur {0} est inconnu");
    patterns.put("user.id", "User {0,number} does not exist");
    patterns.put("broken", "Hello {0");
    patterns.put("skipped", "Hello {1}");
    patterns.put("fine", "Hello {0}");

    assertThatThrownBy(() -> CatalogAssertions.assertEveryMessageFormats(patterns, Locale.ENGLISH))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("5 problem(s) in the catalog (6 keys):")
        .hasMessageContaining(
            "\n  broken: not a MessageFormat pattern (Unmatched braces in the pattern.): Hello {0")
        .hasMessageContaining(
            "\n  item.gone: a single ' before a letter is dropped together with the text it"
                + " quotes; write '' for an apostrophe: Item {0} isn't here")
        .hasMessageContaining(
            "\n  user.id: {0,number} groups digits (1234567 is sent as \"User 1,234,567 does not"
                + " exist\"); write {0,number,#} for ids")
        .hasMessageContaining(
            "\n  skipped: argument {0} is missing from the text (unused, or quoted by a '):"
                + " Hello {1} -> Hello \u27e6ARG1\u27e7")
        .hasMessageContaining(
            "\n  user.unknown: a single ' before a letter is dropped together with the text it"
                + " quotes; write '' for an apostrophe: L'utilisateur {0} est inconnu")
        .hasMessageNotContaining("fine:");
  }

  @Test
  void anArgumentInsideQuotesIsReportedBecauseItIsSentAsALiteral() {
    Map<String, String> patterns = new LinkedHashMap<>();
    patterns.put("field.required", "Field '{0}' is required.");
    patterns.put("user.unknown", "Utilisateur l'{0} inconnu");
    patterns.put("both", "'{1}' and {0}");
    patterns.put("fine", "Field ''{0}'' is required, use '{' and '}'.");

    assertThatThrownBy(() -> CatalogAssertions.assertEveryMessageFormats(patterns, Locale.FRENCH))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("3 problem(s) in the catalog (4 keys):")
        .hasMessageContaining(
            "\n  field.required: argument {0} is inside quotes, so the text says a literal {0};"
                + " write '' for an apostrophe: Field '{0}' is required. -> Field {0} is"
                + " required.")
        .hasMessageContaining(
            "\n  user.unknown: argument {0} is inside quotes, so the text says a literal {0};"
                + " write '' for an apostrophe: Utilisateur l'{0} inconnu -> Utilisateur l{0}"
                + " inconnu")
        .hasMessageContaining("\n  both: argument {1} is inside quotes")
        .hasMessageNotContaining("fine:");
  }

  @Test
  void aMissingFileFails() {
    assertThatThrownBy(
            () ->
                CatalogAssertions.assertEveryMessageFormats(
                    "catalogs/nope.properties", Locale.ENGLISH))
        .isInstanceOf(AssertionError.class)
        .hasMessage("resourcePath: catalogs/nope.properties (expected: a file on the class path)");
  }
}
