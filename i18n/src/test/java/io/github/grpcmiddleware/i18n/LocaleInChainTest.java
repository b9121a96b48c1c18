package io.github.grpcmiddleware.i18n;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Inside a {@link ServerChain} the locale part keeps the resolved locale in the chain's call record
 * instead of a Context of its own: the handler must see the same locale on every callback, and when
 * two locale parts run (server-wide and per-service chains) the inner one wins.
 */
class LocaleInChainTest {

  @RegisterExtension
  static final GrpcServerExtension chained =
      GrpcServerExtension.builder()
          .service(
              ServerChain.intercept(
                  new RecordingService(),
                  ServerChain.builder()
                      .locale(locales(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE))
                      .build()))
          .executorThreads(2)
          .build();

  @RegisterExtension
  static final GrpcServerExtension twice =
      GrpcServerExtension.builder()
          .interceptor(ServerChain.builder().locale(locales(Locale.ENGLISH)).build())
          .service(
              ServerChain.intercept(
                  new RecordingService(),
                  ServerChain.builder()
                      .locale(locales(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE))
                      .build()))
          .build();

  @Test
  void unaryAndClientStreamingHandlersSeeTheLocaleOnEveryCallback() throws Exception {
    Channel channel = withAcceptLanguage(chained, "zh-CN,en;q=0.5");
    assertThat(unary(channel)).isEqualTo("zh-CN|zh-CN");

    CompletableFuture<String> reply = new CompletableFuture<>();
    StreamObserver<SimpleRequest> requests =
        SimpleServiceGrpc.newStub(channel).clientStreamingRpc(observer(reply));
    requests.onNext(SimpleRequest.getDefaultInstance());
    requests.onNext(SimpleRequest.getDefaultInstance());
    requests.onCompleted();
    assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("zh-CN|zh-CN;zh-CN|zh-CN;zh-CN|zh-CN");
  }

  @Test
  void theInnerLocalePartWins() {
    assertThat(unary(withAcceptLanguage(twice, "zh-CN,en;q=0.5"))).isEqualTo("zh-CN|zh-CN");
  }

  private static io.grpc.ServerInterceptor locales(Locale... supported) {
    return Locales.serverBuilder()
        .supported(supported)
        .defaultLocale(Locale.ENGLISH)
        .mdc(true)
        .build();
  }

  private static Channel withAcceptLanguage(GrpcServerExtension server, String value) {
    Metadata headers = new Metadata();
    headers.put(LocalesServerInterceptorTest.ACCEPT_LANGUAGE, value);
    return server.channel(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private static String unary(Channel channel) {
    return SimpleServiceGrpc.newBlockingStub(channel)
        .unaryRpc(SimpleRequest.getDefaultInstance())
        .getResponseMessage();
  }

  private static StreamObserver<SimpleResponse> observer(CompletableFuture<String> reply) {
    return new StreamObserver<SimpleResponse>() {
      @Override
      public void onNext(SimpleResponse value) {
        reply.complete(value.getResponseMessage());
      }

      @Override
      public void onError(Throwable t) {
        reply.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    };
  }
}
