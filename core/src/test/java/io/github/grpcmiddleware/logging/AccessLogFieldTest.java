package io.github.grpcmiddleware.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A value a caller controls takes a bounded share of the access line however it is escaped: a user
 * agent of control characters (six characters each, escaped) made a 1.7 KB line per call.
 */
class AccessLogFieldTest {

  @Test
  void anEscapedValueIsCutToTheBoundAndMarked() {
    String controls = "\u0001".repeat(300);

    String field = (String) AccessLogWriter.field(controls, 256);

    assertThat(field).hasSizeLessThan(256 + 8).startsWith("\"\\u0001").endsWith("...\"");
  }

  @Test
  void aPrintableValueWithinTheBoundIsKeptWhole() {
    assertThat(AccessLogWriter.field("grpc-java-netty/1.85.1", 256))
        .isEqualTo("grpc-java-netty/1.85.1");
    assertThat(AccessLogWriter.field("a b", 256)).isEqualTo("\"a b\"");
  }
}
