package io.github.grpcmiddleware.i18n;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.stub.MetadataUtils;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LocaleServerOptionsTest {

  /** Sets its own content-language, as a service that knows better may. */
  private static final ServerInterceptor SERVICE_SETS_CONTENT_LANGUAGE =
      new ServerInterceptor() {
        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
          if (!call.getMethodDescriptor().getBareMethodName().equals("ServerStreamingRpc")) {
            return next.startCall(call, headers);
          }
          return next.startCall(
              new ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT>(call) {
                @Override
                public void sendHeaders(Metadata responseHeaders) {
                  responseHeaders.put(LocalesServerInterceptorTest.CONTENT_LANGUAGE, "x-service");
                  super.sendHeaders(responseHeaders);
                }
              },
              headers);
        }
      };

  @RegisterExtension
  final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new RecordingService())
          .interceptor(
              Locales.serverBuilder().supported(Locale.GERMAN, Locale.JAPANESE).build(),
              SERVICE_SETS_CONTENT_LANGUAGE)
          .build();

  @RegisterExtension
  final GrpcServerExtension quiet =
      GrpcServerExtension.builder()
          .service(new RecordingService())
          .interceptor(
              Locales.serverBuilder().supported(Locale.GERMAN).contentLanguage(false).build())
          .build();

  private final AtomicReference<Metadata> headers = new AtomicReference<>();
  private final AtomicReference<Metadata> trailers = new AtomicReference<>();

  private SimpleServiceGrpc.SimpleServiceBlockingStub stub(GrpcServerExtension server, String al) {
    Metadata metadata = new Metadata();
    metadata.put(LocalesServerInterceptorTest.ACCEPT_LANGUAGE, al);
    return SimpleServiceGrpc.newBlockingStub(
        server.channel(
            MetadataUtils.newCaptureMetadataInterceptor(headers, trailers),
            MetadataUtils.newAttachHeadersInterceptor(metadata)));
  }

  private Metadata received() {
    return Objects.requireNonNull(headers.get());
  }

  @Test
  void firstSupportedIsTheDefaultAndMdcIsOffByDefault() {
    String seen =
        stub(grpc, "fr").unaryRpc(SimpleRequest.getDefaultInstance()).getResponseMessage();
    assertThat(seen).isEqualTo("de|null");
    assertThat(received().get(LocalesServerInterceptorTest.CONTENT_LANGUAGE)).isEqualTo("de");
  }

  @Test
  void contentLanguageSetByTheServiceIsKept() {
    stub(grpc, "ja")
        .serverStreamingRpc(SimpleRequest.getDefaultInstance())
        .forEachRemaining(r -> {});
    assertThat(received().getAll(LocalesServerInterceptorTest.CONTENT_LANGUAGE))
        .containsExactly("x-service");
  }

  @Test
  void contentLanguageCanBeTurnedOff() {
    String seen =
        stub(quiet, "de-AT").unaryRpc(SimpleRequest.getDefaultInstance()).getResponseMessage();
    assertThat(seen).isEqualTo("de|null");
    assertThat(received().containsKey(LocalesServerInterceptorTest.CONTENT_LANGUAGE)).isFalse();
  }
}
