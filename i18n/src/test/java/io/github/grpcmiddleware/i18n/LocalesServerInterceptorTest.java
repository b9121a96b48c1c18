package io.github.grpcmiddleware.i18n;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LocalesServerInterceptorTest {

  static final Metadata.Key<String> ACCEPT_LANGUAGE =
      Metadata.Key.of("accept-language", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> CONTENT_LANGUAGE =
      Metadata.Key.of("content-language", Metadata.ASCII_STRING_MARSHALLER);

  private static final ServerInterceptor LOCALE =
      Locales.serverBuilder()
          .supported(
              Locale.ENGLISH,
              Locale.SIMPLIFIED_CHINESE,
              Locale.TRADITIONAL_CHINESE,
              Locale.JAPANESE,
              Locale.forLanguageTag("en-GB"))
          .defaultLocale(Locale.ENGLISH)
          .mdc(true)
          .build();

  /** Applies the locale interceptor to every method but ServerStreamingRpc. */
  private static final ServerInterceptor LOCALE_EXCEPT_SERVER_STREAMING =
      new ServerInterceptor() {
        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
          return call.getMethodDescriptor().getBareMethodName().equals("ServerStreamingRpc")
              ? next.startCall(call, headers)
              : LOCALE.interceptCall(call, headers, next);
        }
      };

  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new RecordingService())
          .interceptor(LOCALE_EXCEPT_SERVER_STREAMING)
          .executorThreads(1)
          .build();

  private final AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
  private final AtomicReference<Metadata> trailers = new AtomicReference<>();

  private Channel channel(@Nullable String... acceptLanguage) {
    Metadata headers = new Metadata();
    for (String value : acceptLanguage) {
      if (value != null) {
        headers.put(ACCEPT_LANGUAGE, value);
      }
    }
    return grpc.channel(
        MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers),
        MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private String unary(@Nullable String... acceptLanguage) {
    return SimpleServiceGrpc.newBlockingStub(channel(acceptLanguage))
        .unaryRpc(SimpleRequest.getDefaultInstance())
        .getResponseMessage();
  }

  private @Nullable String contentLanguage() {
    return Objects.requireNonNull(responseHeaders.get()).get(CONTENT_LANGUAGE);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "ja | ja",
        "fr;q=0.5, ja;q=0.4, zh-TW;q=0.9 | zh-TW",
        "de, ja;q=0.5, zh-CN;q=0.5 | ja",
        "* | en",
        "ja;q=0, * | en",
        "en;q=0, ja;q=0.1 | ja",
        "en-AU | en",
        "en-GB-oxendict | en-GB",
        "zh-HK | zh-TW",
        "zh-Hant | zh-TW",
        "zh-SG | zh-CN",
        "zh | zh-CN",
        "ko | en",
        "'' | en",
        ";q= | en",
        "ja;q=1.5 | en",
        "ja;q=-1 | en",
        "ja;q=0.0001 | en",
        "ja- | en",
        "-- | en",
        "ja;q=2, zh-TW;q=0.3 | zh-TW",
      })
  void handlerSeesTheResolvedLocaleAndResponseSaysContentLanguage(String header, String expected) {
    assertThat(unary(header)).isEqualTo(expected + "|" + expected);
    assertThat(contentLanguage()).isEqualTo(expected);
  }

  @Test
  void noHeaderGivesTheDefault() {
    assertThat(unary()).isEqualTo("en|en");
    assertThat(contentLanguage()).isEqualTo("en");
  }

  @Test
  void hugeHeadersStillSucceed() {
    String threeHundred =
        IntStream.range(0, 300).mapToObj(i -> "de-x" + i).collect(Collectors.joining(","));
    assertThat(unary("ja;q=0.9," + threeHundred)).isEqualTo("ja|ja");
    assertThat(unary(threeHundred + ",ja")).isEqualTo("en|en");
    assertThat(unary("zh-TW," + "x".repeat(8 * 1024))).isEqualTo("zh-TW|zh-TW");
  }

  @Test
  void repeatedHeadersAreJoined() {
    assertThat(unary("ko", "ja;q=0.5")).isEqualTo("ja|ja");
  }

  @Test
  void everyKindOfCallSeesTheLocaleOnItsHandlerThread() throws Exception {
    Channel channel = channel("ja");
    List<String> serverStreaming = new ArrayList<>();
    Iterator<SimpleResponse> it =
        SimpleServiceGrpc.newBlockingStub(channel)
            .serverStreamingRpc(SimpleRequest.getDefaultInstance());
    it.forEachRemaining(r -> serverStreaming.add(r.getResponseMessage()));
    // This test's server leaves ServerStreamingRpc without the locale interceptor: on the single
    // handler thread that ran the other calls, nothing may be left in the MDC.
    assertThat(unary("ja")).isEqualTo("ja|ja");
    assertThat(serverStreaming).containsExactly("none|null", "none|null");

    SimpleServiceGrpc.SimpleServiceStub async = SimpleServiceGrpc.newStub(channel);
    CompletableFuture<String> clientStreaming = new CompletableFuture<>();
    StreamObserver<SimpleRequest> requests = async.clientStreamingRpc(collect(clientStreaming));
    requests.onNext(SimpleRequest.getDefaultInstance());
    requests.onNext(SimpleRequest.getDefaultInstance());
    requests.onCompleted();
    assertThat(clientStreaming.get(5, TimeUnit.SECONDS)).isEqualTo("ja|ja;ja|ja;ja|ja;");

    CompletableFuture<String> bidi = new CompletableFuture<>();
    StreamObserver<SimpleRequest> bidiRequests = async.bidiStreamingRpc(collect(bidi));
    bidiRequests.onNext(SimpleRequest.getDefaultInstance());
    bidiRequests.onNext(SimpleRequest.getDefaultInstance());
    bidiRequests.onCompleted();
    assertThat(bidi.get(5, TimeUnit.SECONDS)).isEqualTo("ja|ja;ja|ja;");
    assertThat(contentLanguage()).isEqualTo("ja");
  }

  private static StreamObserver<SimpleResponse> collect(CompletableFuture<String> done) {
    StringBuilder all = new StringBuilder();
    return new StreamObserver<SimpleResponse>() {
      @Override
      public void onNext(SimpleResponse value) {
        all.append(value.getResponseMessage()).append(';');
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        done.complete(all.toString());
      }
    };
  }

  @Test
  void builderValidates() throws Exception {
    assertThatThrownBy(() -> Locales.serverBuilder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("supported: [] (expected: at least one locale)");
    assertThatThrownBy(() -> Locales.serverBuilder().defaultLocale(Locale.ROOT).build())
        .hasMessage("defaultLocale: root (expected: a language)");
    assertThatThrownBy(
            () -> Locales.serverBuilder().supported(Locale.ENGLISH).cacheSize(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cacheSize: -1 (expected: >= 0)");
    // Without defaultLocale(...), the first supported locale is the default; MDC stays off.
    ServerInterceptor japaneseOnly = Locales.serverBuilder().supported(Locale.JAPANESE).build();
    String name = InProcessServerBuilder.generateName();
    grpc.register(
        InProcessServerBuilder.forName(name)
            .addService(ServerInterceptors.intercept(new RecordingService(), japaneseOnly))
            .build()
            .start());
    for (String header : new String[] {null, "en", "zh-CN, fr;q=0.5"}) {
      Metadata headers = new Metadata();
      if (header != null) {
        headers.put(ACCEPT_LANGUAGE, header);
      }
      ManagedChannel channel =
          grpc.register(
              InProcessChannelBuilder.forName(name)
                  .intercept(
                      MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers),
                      MetadataUtils.newAttachHeadersInterceptor(headers))
                  .build());
      assertThat(
              SimpleServiceGrpc.newBlockingStub(channel)
                  .unaryRpc(SimpleRequest.getDefaultInstance())
                  .getResponseMessage())
          .as("accept-language %s", header)
          .isEqualTo("ja|null");
      assertThat(contentLanguage()).isEqualTo("ja");
    }
  }
}
