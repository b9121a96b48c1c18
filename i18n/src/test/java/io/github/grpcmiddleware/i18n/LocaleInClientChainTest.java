package io.github.grpcmiddleware.i18n;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.grpc.stub.MetadataUtils;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

/**
 * In a {@link ClientChain} the locale part right outside the tracing part runs inside the tracing
 * part's call wrapper (one wrapper per call for both). What a server and the application see must
 * be what two wrappers gave: both headers, the locale read on every call, a header already on the
 * call left alone, the trace id in the MDC of the response callbacks, and an interceptor between
 * the two parts still seeing the locale's header.
 */
class LocaleInClientChainTest {

  private static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
  private static final Pattern TRACEPARENT_VALUE =
      Pattern.compile("00-([0-9a-f]{32})-[0-9a-f]{16}-01");

  private static final AtomicReference<String> acceptLanguage = new AtomicReference<>();
  private static final AtomicReference<String> traceparent = new AtomicReference<>();

  private static final ServerInterceptor RECORD_HEADERS =
      new ServerInterceptor() {
        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
          Iterable<String> values = headers.getAll(LocalesServerInterceptorTest.ACCEPT_LANGUAGE);
          acceptLanguage.set(values == null ? "<none>" : String.join(" | ", values));
          traceparent.set(headers.get(TRACEPARENT));
          return next.startCall(call, headers);
        }
      };

  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new RecordingService())
          .interceptor(
              RECORD_HEADERS,
              Locales.serverBuilder()
                  .supported(Locale.ENGLISH, Locale.GERMAN, Locale.JAPANESE)
                  .mdc(true)
                  .build())
          .build();

  private final List<String> seen = new CopyOnWriteArrayList<>();

  @BeforeEach
  void clear() {
    acceptLanguage.set(null);
    traceparent.set(null);
  }

  @Test
  void bothHeadersAreSentAndTheLocaleIsReadOnEveryCall() {
    AtomicInteger calls = new AtomicInteger();
    Locale[] locales = {Locale.JAPANESE, Locale.GERMAN};
    ClientInterceptor chain =
        ClientChain.builder()
            .locale(
                Locales.clientBuilder().locale(() -> locales[calls.getAndIncrement() % 2]).build())
            .tracing(TraceIds.newClientInterceptor())
            .build();
    SimpleServiceGrpc.SimpleServiceBlockingStub stub =
        SimpleServiceGrpc.newBlockingStub(grpc.channel(chain));

    assertThat(stub.unaryRpc(SimpleRequest.getDefaultInstance()).getResponseMessage())
        .isEqualTo("ja|ja");
    assertThat(acceptLanguage.get()).isEqualTo("ja");
    String first = traceparent.get();
    assertThat(first).matches(TRACEPARENT_VALUE);

    assertThat(stub.unaryRpc(SimpleRequest.getDefaultInstance()).getResponseMessage())
        .isEqualTo("de|de");
    assertThat(acceptLanguage.get()).isEqualTo("de");
    assertThat(traceparent.get()).matches(TRACEPARENT_VALUE).isNotEqualTo(first);
  }

  @Test
  void aHeaderAlreadyOnTheCallIsLeftAlone() {
    Metadata headers = new Metadata();
    headers.put(LocalesServerInterceptorTest.ACCEPT_LANGUAGE, "ja");
    ClientInterceptor chain =
        ClientChain.builder()
            .locale(Locales.clientBuilder().locale(() -> Locale.GERMAN).build())
            .tracing(TraceIds.newClientInterceptor())
            .build();
    // The attaching interceptor runs outside the chain, as an application's stub would.
    Channel channel =
        io.grpc.ClientInterceptors.intercept(
            grpc.channel(chain), MetadataUtils.newAttachHeadersInterceptor(headers));

    assertThat(
            SimpleServiceGrpc.newBlockingStub(channel)
                .unaryRpc(SimpleRequest.getDefaultInstance())
                .getResponseMessage())
        .isEqualTo("ja|ja");
    assertThat(acceptLanguage.get()).isEqualTo("ja");
    assertThat(traceparent.get()).matches(TRACEPARENT_VALUE);
  }

  @Test
  void responseCallbacksSeeTheTraceIdThatWasSent() {
    ClientInterceptor chain =
        ClientChain.builder()
            .observability(recordingMdc())
            .locale(Locales.clientBuilder().locale(() -> Locale.GERMAN).build())
            .tracing(TraceIds.newClientInterceptor())
            .build();

    SimpleServiceGrpc.newBlockingStub(grpc.channel(chain))
        .unaryRpc(SimpleRequest.getDefaultInstance());

    java.util.regex.Matcher sent = TRACEPARENT_VALUE.matcher(traceparent.get());
    assertThat(sent.matches()).isTrue();
    assertThat(seen).containsExactly("headers " + sent.group(1), "close " + sent.group(1));
    assertThat(MDC.get("traceId")).isNull();
  }

  @Test
  void anInterceptorBetweenTheTwoSeesTheLocaleHeader() {
    ClientInterceptor chain =
        ClientChain.builder()
            .locale(Locales.clientBuilder().locale(() -> Locale.GERMAN).build())
            .application(recordingStartHeaders())
            .tracing(TraceIds.newClientInterceptor())
            .build();

    SimpleServiceGrpc.newBlockingStub(grpc.channel(chain))
        .unaryRpc(SimpleRequest.getDefaultInstance());

    // Locale outside the application's interceptor, tracing inside it: as the slots say.
    assertThat(seen).containsExactly("start accept-language=de traceparent=null");
    assertThat(acceptLanguage.get()).isEqualTo("de");
    assertThat(traceparent.get()).matches(TRACEPARENT_VALUE);
  }

  private ClientInterceptor recordingStartHeaders() {
    return new ClientInterceptor() {
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
            super.start(listener, headers);
          }
        };
      }
    };
  }

  /** Records the MDC's trace id in the callbacks of the application's own listener. */
  private ClientInterceptor recordingMdc() {
    return new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
        return new SimpleForwardingClientCall<ReqT, RespT>(next.newCall(method, callOptions)) {
          @Override
          public void start(Listener<RespT> listener, Metadata headers) {
            super.start(
                new SimpleForwardingClientCallListener<RespT>(listener) {
                  @Override
                  public void onHeaders(Metadata responseHeaders) {
                    seen.add("headers " + MDC.get("traceId"));
                    super.onHeaders(responseHeaders);
                  }

                  @Override
                  public void onClose(io.grpc.Status status, Metadata trailers) {
                    seen.add("close " + MDC.get("traceId"));
                    super.onClose(status, trailers);
                  }
                },
                headers);
          }
        };
      }
    };
  }
}
