package com.example.greeter;

import io.github.grpcmiddleware.testing.CatalogAssertions;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The catalogs send what they say: no apostrophe lost, no id grouped, no argument dropped. */
class MessagesTest {
  // [START standalone_catalog_test]
  @Test
  void everyMessageIsSentAsWritten() {
    CatalogAssertions.assertEveryMessageFormats(
        "com/example/greeter/messages.properties", Locale.ENGLISH);
    CatalogAssertions.assertEveryMessageFormats(
        "com/example/greeter/messages_zh_CN.properties", Locale.SIMPLIFIED_CHINESE);
  }
  // [END standalone_catalog_test]
}
