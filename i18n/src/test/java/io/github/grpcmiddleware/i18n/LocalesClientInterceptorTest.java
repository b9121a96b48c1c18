package io.github.grpcmiddleware.i18n;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.chain.ClientChain;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

class LocalesClientInterceptorTest {

  private static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
  private static final Pattern TRACEPARENT_VALUE =
      Pattern.compile("00-([0-9a-f]{32})-[0-9a-f]{16}-01");

  private static final AtomicReference<String> received = new AtomicReference<>();
  private static final AtomicReference<String> receivedTraceparent = new AtomicReference<>();

  private static final ServerInterceptor RECORD_ACCEPT_LANGUAGE =
      new ServerInterceptor() {
        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
          Iterable<String> values = headers.getAll(LocalesServerInterceptorTest.ACCEPT_LANGUAGE);
          received.set(values == null ? "<none>" : String.join(" | ", values));
          receivedTraceparent.set(headers.get(TRACEPARENT));
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

  /** What {@link Recorder}s saw, in order. */
  private final List<String> seen = new CopyOnWriteArrayList<>();

  @BeforeEach
  void clear() {
    received.set(null);
    receivedTraceparent.set(null);
  }

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

  // In a ClientChain the locale part right outside tracing runs inside tracing's call wrapper (one
  // wrapper per call for both): servers and the application must see what two wrappers gave.

  @Test
  void inAChainWithTracingBothHeadersGoAndTheLocaleIsReadOnEveryCall() {
    AtomicInteger calls = new AtomicInteger();
    Locale[] locales = {Locale.JAPANESE, Locale.GERMAN};
    ClientInterceptor chain =
        ClientChain.builder()
            .locale(
                Locales.clientBuilder().locale(() -> locales[calls.getAndIncrement() % 2]).build())
            .tracing(TraceIds.newClientInterceptor())
            .build();

    assertThat(call(chain)).isEqualTo("ja|ja");
    assertThat(received.get()).isEqualTo("ja");
    String first = receivedTraceparent.get();
    assertThat(first).matches(TRACEPARENT_VALUE);
    assertThat(call(chain)).isEqualTo("de|de");
    assertThat(received.get()).isEqualTo("de");
    assertThat(receivedTraceparent.get()).matches(TRACEPARENT_VALUE).isNotEqualTo(first);
  }

  @Test
  void inAChainWithTracingAHeaderAlreadyOnTheCallIsLeftAlone() {
    Metadata headers = new Metadata();
    headers.put(LocalesServerInterceptorTest.ACCEPT_LANGUAGE, "ja");
    ClientInterceptor chain =
        ClientChain.builder()
            .locale(Locales.clientBuilder().locale(() -> Locale.GERMAN).build())
            .tracing(TraceIds.newClientInterceptor())
            .build();

    assertThat(call(MetadataUtils.newAttachHeadersInterceptor(headers), chain)).isEqualTo("ja|ja");
    assertThat(received.get()).isEqualTo("ja");
    assertThat(receivedTraceparent.get()).matches(TRACEPARENT_VALUE);
  }

  @Test
  void inAChainWithTracingResponseCallbacksSeeTheTraceIdThatWasSent() {
    call(
        ClientChain.builder()
            .observability(new Recorder(seen))
            .locale(Locales.clientBuilder().locale(() -> Locale.GERMAN).build())
            .tracing(TraceIds.newClientInterceptor())
            .build());

    Matcher sent = TRACEPARENT_VALUE.matcher(receivedTraceparent.get());
    assertThat(sent.matches()).isTrue();
    assertThat(seen)
        .containsExactly(
            "start accept-language=null traceparent=null",
            "headers " + sent.group(1),
            "close " + sent.group(1));
    assertThat(MDC.get("traceId")).isNull();
  }

  @Test
  void anInterceptorBetweenLocaleAndTracingSeesTheLocaleHeaderFirst() {
    call(
        ClientChain.builder()
            .locale(Locales.clientBuilder().locale(() -> Locale.GERMAN).build())
            .application(new Recorder(seen))
            .tracing(TraceIds.newClientInterceptor())
            .build());

    // Locale outside the application's interceptor, tracing inside it, as the slots say.
    assertThat(seen.get(0)).isEqualTo("start accept-language=de traceparent=null");
    assertThat(received.get()).isEqualTo("de");
    assertThat(receivedTraceparent.get()).matches(TRACEPARENT_VALUE);
  }

  /**
   * Records the request headers at its start and the MDC's trace id in the response callbacks that
   * reach it.
   */
  private static final class Recorder implements ClientInterceptor {
    private final List<String> seen;

    Recorder(List<String> seen) {
      this.seen = seen;
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
      return new SimpleForwardingClientCall<ReqT, RespT>(next.newCall(method, callOptions)) {
        @Override
        public void start(Listener<RespT> listener, Metadata headers) {
          seen.add(
              "start accept-language="
                  + headers.get(LocalesServerInterceptorTest.ACCEPT_LANGUAGE)
                  + " traceparent="
                  + headers.get(TRACEPARENT));
          super.start(
              new SimpleForwardingClientCallListener<RespT>(listener) {
                @Override
                public void onHeaders(Metadata responseHeaders) {
                  seen.add("headers " + MDC.get("traceId"));
                  super.onHeaders(responseHeaders);
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                  seen.add("close " + MDC.get("traceId"));
                  super.onClose(status, trailers);
                }
              },
              headers);
        }
      };
    }
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
