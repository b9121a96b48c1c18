package io.github.grpcmiddleware.errors;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.InternalMetadata;
import io.grpc.InternalStatus;
import io.grpc.Metadata;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The budget's idea of how long {@code grpc-message} is must be what grpc-java's own encoder
 * writes, byte for byte, for every class of code point; an undercount lets trailers outgrow the
 * peer's limit, and the caller then loses the status.
 */
class TrailerBudgetEncodingTest {

  /** What grpc-java puts on the wire for {@code text} as a status message. */
  private static int encodedByGrpc(String text) {
    Metadata trailers = new Metadata();
    trailers.put(InternalStatus.MESSAGE_KEY, text);
    byte[][] serialized = InternalMetadata.serialize(trailers);
    return serialized[1].length;
  }

  static Stream<String> codePointClasses() {
    List<String> texts = new ArrayList<>();
    texts.add("~/home/~user"); // '~' is escaped by grpc-java (>= '~')
    texts.add("~");
    texts.add("}|{"); // just below '~': sent as is
    texts.add("\u007f"); // DEL
    texts.add("100%"); // '%' is always escaped
    texts.add("tab\there"); // control characters
    texts.add("line\r\nbreak");
    texts.add(" leading and trailing ");
    texts.add("\u00e9t\u00e9"); // 2-byte UTF-8
    texts.add("\u7528\u6237\u4e0d\u5b58\u5728"); // 3-byte UTF-8 (CJK)
    texts.add("\ud83d\ude00 emoji"); // 4-byte UTF-8 (a surrogate pair)
    texts.add("lone \ud800 surrogate"); // unpaired: encoded as '?'
    texts.add("lone \udc00 low");
    texts.add("\u0000nul");
    texts.add("");
    return texts.stream();
  }

  @ParameterizedTest
  @MethodSource("codePointClasses")
  void countsWhatGrpcJavaEncodes(String text) {
    assertThat(TrailerBudget.percentEncodedLength(text)).as(text).isEqualTo(encodedByGrpc(text));
  }

  @Test
  void everyBmpCodePointAndSomeSupplementaryOnesCountExactly() {
    for (int cp = 0; cp < 0x10000; cp++) {
      String text = new String(Character.toChars(cp));
      assertThat(TrailerBudget.percentEncodedLength(text))
          .as("U+%04X", cp)
          .isEqualTo(encodedByGrpc(text));
    }
    for (int cp = 0x10000; cp <= 0x10FFFF; cp += 0x3FF) {
      String text = new String(Character.toChars(cp));
      assertThat(TrailerBudget.percentEncodedLength(text))
          .as("U+%06X", cp)
          .isEqualTo(encodedByGrpc(text));
    }
  }

  @Test
  void seededRandomMixesCountExactly() {
    long seed = 20261201L;
    Random random = new Random(seed);
    for (int i = 0; i < 500; i++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(40);
      for (int j = 0; j < length; j++) {
        text.appendCodePoint(
            random.nextInt(8) == 0 ? random.nextInt(0x10FFFF) : random.nextInt(0x80));
      }
      String s = text.toString();
      assertThat(TrailerBudget.percentEncodedLength(s))
          .as(
              "seed %d case %d: %s",
              seed, i, new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
          .isEqualTo(encodedByGrpc(s));
    }
  }
}
