package io.github.grpcmiddleware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.LocalizedMessage;
import io.github.grpcmiddleware.errors.ServiceException;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Localized error text with non-ASCII, emoji, {@code %}, CR/LF and tabs arrives at a Java client
 * over Netty byte for byte, both as the status description and as the {@code
 * google.rpc.LocalizedMessage} detail, for fixed examples and 200 seeded random texts (see {@link
 * Seeds}). (The Node.js client check in the examples module covers Node.js.)
 */
class LocalizedRoundTripPropertyTest {
  private static @Nullable ChainServer server;
  private static @Nullable ManagedChannel channel;

  /** Fails every call with a ServiceException whose message is the request text. */
  static final class Thrower extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
      throw ServiceException.builder(Status.Code.RESOURCE_EXHAUSTED, "reliability.roundTrip")
          .defaultMessage("{0}")
          .args(request.getRequestMessage())
          .build();
    }
  }

  @BeforeAll
  static void start() {
    ChainServer started = ChainServer.start(2, Chains.server(), new Thrower());
    server = started;
    channel = started.channel(Chains.client(Chains.TOKEN_A));
  }

  @AfterAll
  static void stop() throws InterruptedException {
    ChainServer running = server;
    if (running != null) {
      running.close();
    }
  }

  private static void assertRoundTrip(String text) {
    ManagedChannel open = channel;
    assertThat(open).isNotNull();
    try {
      SimpleServiceGrpc.newBlockingStub(open)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .unaryRpc(SimpleRequest.newBuilder().setRequestMessage(text).build());
      throw new AssertionError("the call succeeded");
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(e.getStatus().getDescription()).isEqualTo(text.isEmpty() ? null : text);
      com.google.rpc.Status details = StatusProto.fromThrowable(e);
      assertThat(details).isNotNull();
      LocalizedMessage localized = null;
      for (com.google.protobuf.Any any : details.getDetailsList()) {
        if (any.is(LocalizedMessage.class)) {
          try {
            localized = any.unpack(LocalizedMessage.class);
          } catch (com.google.protobuf.InvalidProtocolBufferException bad) {
            throw new AssertionError(bad);
          }
        }
      }
      assertThat(localized).isNotNull();
      assertThat(localized.getMessage()).isEqualTo(text);
      assertThat(localized.getLocale()).isEqualTo("en");
    }
  }

  @Test
  void specialCharactersRoundTripByteForByte() {
    for (String text :
        List.of(
            "100% sure: 50%% off %s %n %d",
            "tab\there\r\nnew line\nand\rcarriage return",
            "Ünïcödé Ελληνικά Русский 中文 日本語 한국어 עברית العربية",
            "emoji 😀🎉👩‍👩‍👧 flags 🇨🇳 and non-BMP 𝄞",
            "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n",
            " leading and trailing spaces ",
            "%E4%B8%AD already-encoded looking text %",
            "控制字符\u0001\u001f\u007f")) {
      assertRoundTrip(text);
    }
  }

  private static final List<String> EMOJI = List.of("😀", "𝄞", "👩‍👧", "🇨🇳", "%", "\r\n", "\t");

  /** Characters of U+0000..U+D7FF and U+E000..U+FFFD, each of the two ranges half the time. */
  private static final Seeds.Chars PLANE_0 =
      random ->
          random.nextBoolean()
              ? (char) random.nextInt(0xD800)
              : (char) (0xE000 + random.nextInt(0xFFFD - 0xE000 + 1));

  /** Half the time 1 to 60 characters of plane 0, else 1 to 20 emoji and specials joined. */
  static String text(Random random) {
    if (random.nextBoolean()) {
      return Seeds.string(random, PLANE_0, 1, 60);
    }
    int count = 1 + random.nextInt(20);
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      parts.add(Seeds.pick(random, EMOJI));
    }
    return String.join("", parts);
  }

  static LongStream seeds() {
    return Seeds.of(200);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void anyTextRoundTripsByteForByte(long seed) {
    Seeds.replayable(seed, () -> assertRoundTrip(text(new Random(seed))));
  }
}
