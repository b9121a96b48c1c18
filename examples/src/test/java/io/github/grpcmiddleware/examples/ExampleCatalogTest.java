package io.github.grpcmiddleware.examples;

import io.github.grpcmiddleware.testing.CatalogAssertions;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The example's catalogs pass the check the testing module offers users. */
class ExampleCatalogTest {
  @Test
  void everyMessageIsSentAsWritten() {
    CatalogAssertions.assertEveryMessageFormats("example-messages.properties", Locale.ENGLISH);
    CatalogAssertions.assertEveryMessageFormats(
        "example-messages_zh_CN.properties", Locale.SIMPLIFIED_CHINESE);
  }
}
