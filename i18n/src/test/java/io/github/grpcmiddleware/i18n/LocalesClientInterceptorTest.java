package io.github.grpcmiddleware.i18n;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.stub.MetadataUtils;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LocalesClientInterceptorTest {

  private static final AtomicReference<String> received = new AtomicReference<>();

  private static final ServerInterceptor RECORD_ACCEPT_LANGUAGE =
      new ServerInterceptor() {
        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
          Iterable<String> values = headers.getAll(LocalesServerInterceptorTest.ACCEPT_LANGUAGE);
          received.set(values == null ? "<none>" : String.join(" | ", values));
          return next.startCall(call, headers);
        }
      };

  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new RecordingService())
          .interceptor(
              RECORD_ACCEPT_LANGUAGE,
              Locales.serverBuilder()
                  .supported(Locale.ENGLISH, Locale.GERMAN, Locale.JAPANESE)
                  .mdc(true)
                  .build())
          .build();

  private static String call(ClientInterceptor... interceptors) {
    return SimpleServiceGrpc.newBlockingStub(grpc.channel(interceptors))
        .unaryRpc(SimpleRequest.getDefaultInstance())
        .getResponseMessage();
  }

  @Test
  void sendsTheJvmLocaleByDefault() {
    call(Locales.newClientInterceptor());
    assertThat(received.get()).isEqualTo(Locale.getDefault().toLanguageTag());
  }

  @Test
  void sendsTheSuppliedLocaleThenFallbacksWithWeights() {
    ClientInterceptor client =
        Locales.clientBuilder()
            .locale(() -> Locale.forLanguageTag("de-CH"))
            .fallback(Locale.GERMAN, 0.8)
            .fallback(Locale.ENGLISH, 0.125)
            .fallback(Locale.JAPANESE, 1)
            .build();
    assertThat(call(client)).isEqualTo("de|de");
    assertThat(received.get()).isEqualTo("de-CH, de;q=0.8, en;q=0.125, ja");
  }

  @Test
  void readsTheSupplierOnEveryCall() {
    AtomicInteger calls = new AtomicInteger();
    Locale[] locales = {Locale.JAPANESE, Locale.GERMAN};
    ClientInterceptor client =
        Locales.clientBuilder().locale(() -> locales[calls.getAndIncrement() % 2]).build();
    assertThat(call(client)).isEqualTo("ja|ja");
    assertThat(call(client)).isEqualTo("de|de");
    assertThat(call(client)).isEqualTo("ja|ja");
  }

  @Test
  void thePreferredLocaleIsNotRepeatedAmongFallbacks() {
    ClientInterceptor client =
        Locales.clientBuilder()
            .locale(() -> Locale.GERMAN)
            .fallback(Locale.ENGLISH, 0.5)
            .fallback(Locale.GERMAN, 0.4)
            .build();
    call(client);
    assertThat(received.get()).isEqualTo("de, en;q=0.5");
  }

  @Test
  void nullRootOrFailingSupplierSendsOnlyTheFallbacks() {
    Locales.clientBuilder().locale(() -> null).fallback(Locale.JAPANESE, 0.5).build();
    assertThat(
            call(Locales.clientBuilder().locale(() -> null).fallback(Locale.JAPANESE, 0.5).build()))
        .isEqualTo("ja|ja");
    assertThat(received.get()).isEqualTo("ja;q=0.5");
    call(Locales.clientBuilder().locale(() -> Locale.ROOT).fallback(Locale.GERMAN, 0.3).build());
    assertThat(received.get()).isEqualTo("de;q=0.3");
    call(
        Locales.clientBuilder()
            .locale(
                () -> {
                  throw new IllegalStateException("no locale");
                })
            .build());
    assertThat(received.get()).isEqualTo("<none>");
    assertThat(call(Locales.clientBuilder().locale(() -> null).build())).isEqualTo("en|en");
    assertThat(received.get()).isEqualTo("<none>");
  }

  @Test
  void aHeaderAlreadyOnTheCallIsLeftAlone() {
    Metadata headers = new Metadata();
    headers.put(LocalesServerInterceptorTest.ACCEPT_LANGUAGE, "ja");
    // The attaching interceptor runs first (outermost), so ours sees the header.
    call(
        MetadataUtils.newAttachHeadersInterceptor(headers),
        Locales.clientBuilder().locale(() -> Locale.GERMAN).build());
    assertThat(received.get()).isEqualTo("ja");
  }

  @Test
  void builderValidatesWeights() {
    assertThatThrownBy(() -> Locales.clientBuilder().fallback(Locale.GERMAN, 1.5).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("q: 1.5 (expected: >= 0.001 and <= 1)");
    assertThatThrownBy(() -> Locales.clientBuilder().fallback(Locale.GERMAN, 0).build())
        .hasMessage("q: 0.0 (expected: >= 0.001 and <= 1)");
    assertThatThrownBy(() -> Locales.clientBuilder().fallback(Locale.GERMAN, 0.0004).build())
        .hasMessage("q: 4.0E-4 (expected: >= 0.001 and <= 1)");
    assertThatThrownBy(() -> Locales.clientBuilder().fallback(Locale.ROOT, 0.5).build())
        .hasMessage("fallback: root locale (expected: a language)");
  }
}
