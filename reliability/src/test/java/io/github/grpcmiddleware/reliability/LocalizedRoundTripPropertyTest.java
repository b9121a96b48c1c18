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
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.jspecify.annotations.Nullable;

/**
 * Localized error text with non-ASCII, emoji, {@code %}, CR/LF and tabs arrives at a Java client
 * over Netty byte for byte, both as the status description and as the {@code
 * google.rpc.LocalizedMessage} detail. (The Node.js client check in the examples module covers
 * Node.js.)
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

  @BeforeContainer
  static void start() {
    ChainServer started = ChainServer.start(2, Chains.server(), new Thrower());
    server = started;
    channel = started.channel(Chains.client(Chains.TOKEN_A));
  }

  @AfterContainer
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

  @Example
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

  @Provide
  Arbitrary<String> text() {
    Arbitrary<String> plane0 =
        Arbitraries.strings()
            .withCharRange('\u0000', '\uD7FF')
            .withCharRange('\uE000', '\uFFFD')
            .ofMinLength(1)
            .ofMaxLength(60);
    Arbitrary<String> emoji = Arbitraries.of("😀", "𝄞", "👩‍👧", "🇨🇳", "%", "\r\n", "\t");
    return Arbitraries.oneOf(plane0, emoji.list().ofMaxSize(20).map(l -> String.join("", l)))
        .filter(s -> !s.isEmpty());
  }

  @Property(tries = 200)
  void anyTextRoundTripsByteForByte(@ForAll("text") String text) {
    assertRoundTrip(text);
  }
}
