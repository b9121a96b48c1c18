package io.github.grpcmiddleware.i18n;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.errors.ServiceException;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The README's Internationalization example, compiled and run. */
class I18nExampleTest {

  @Test
  void answersEachCallerInItsLanguage() throws Exception {
    List<String> replies = new ArrayList<>();
    // [START i18n_example]
    // com/example/messages.properties        user.notFound=User {0,number,#} was not found.
    // com/example/messages_zh_CN.properties  user.notFound=未找到用户 {0,number,#}。
    LocalizedMessages messages =
        LocalizedMessages.builder().baseName("com/example/messages").build();

    SimpleServiceGrpc.SimpleServiceImplBase users =
        new SimpleServiceGrpc.SimpleServiceImplBase() {
          @Override
          public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
            // Locales.current() is the caller's locale, should the handler need it.
            throw ServiceException.builder(Status.Code.NOT_FOUND, "user.notFound")
                .args(1234567)
                .build();
          }
        };
    ServerInterceptor chain =
        ServerChain.builder() // puts each part in its place: locale outside error mapping
            .locale(
                Locales.serverBuilder()
                    .supported(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE)
                    .defaultLocale(Locale.ENGLISH)
                    .build())
            .errorMapping(ErrorMapping.serverBuilder().messageResolver(messages).build())
            .build();
    Server server =
        InProcessServerBuilder.forName("i18n-example")
            .addService(ServerChain.intercept(users, chain))
            .build()
            .start();

    for (Locale language : List.of(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE)) {
      ManagedChannel channel =
          InProcessChannelBuilder.forName("i18n-example")
              // sends accept-language: en, then zh-CN
              .intercept(Locales.clientBuilder().locale(() -> language).build())
              .build();
      try {
        SimpleServiceGrpc.newBlockingStub(channel).unaryRpc(SimpleRequest.getDefaultInstance());
      } catch (StatusRuntimeException e) {
        // NOT_FOUND: "User 1234567 was not found.", then "未找到用户 1234567。"
        // (also in a google.rpc.LocalizedMessage detail, and in content-language: en, zh-CN)
        replies.add(e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      }
      channel.shutdownNow();
    }
    server.shutdownNow();
    // [END i18n_example]
    assertThat(replies)
        .containsExactly("NOT_FOUND: User 1234567 was not found.", "NOT_FOUND: 未找到用户 1234567。");
  }
}
