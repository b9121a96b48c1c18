package io.github.grpcmiddleware.i18n;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.LocalizedMessage;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/** The README's Internationalization example, compiled and run. */
class I18nExampleTest {

  @Test
  void greetsEachCallerInItsLanguage() throws Exception {
    List<String> replies = new ArrayList<>();
    // [START i18n_example]
    // com/example/messages.properties        greeting=Hello, {0}!
    // com/example/messages_zh_CN.properties  greeting=你好，{0}！
    LocalizedMessages messages =
        LocalizedMessages.builder().baseName("com/example/messages").build();

    SimpleServiceGrpc.SimpleServiceImplBase greeter =
        new SimpleServiceGrpc.SimpleServiceImplBase() {
          @Override
          public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
            // The caller's locale is in the Context; Locales.current() returns it too.
            LocalizedMessage greeting =
                messages.resolve(
                    Context.current(), "greeting", List.of(request.getRequestMessage()));
            String text = Objects.requireNonNull(greeting).getMessage();
            out.onNext(SimpleResponse.newBuilder().setResponseMessage(text).build());
            out.onCompleted();
          }
        };
    Server server =
        InProcessServerBuilder.forName("i18n-example")
            .addService(
                ServerInterceptors.intercept(
                    greeter,
                    Locales.serverBuilder()
                        .supported(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE)
                        .defaultLocale(Locale.ENGLISH)
                        .build()))
            .build()
            .start();

    for (Locale language : List.of(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE)) {
      ManagedChannel channel =
          InProcessChannelBuilder.forName("i18n-example")
              // sends accept-language: en, or zh-CN
              .intercept(Locales.clientBuilder().locale(() -> language).build())
              .build();
      SimpleRequest request = SimpleRequest.newBuilder().setRequestMessage("Ada").build();
      String reply =
          SimpleServiceGrpc.newBlockingStub(channel).unaryRpc(request).getResponseMessage();
      replies.add(reply); // "Hello, Ada!", then "你好，Ada！"
      channel.shutdownNow();
    }
    server.shutdownNow();
    // [END i18n_example]
    assertThat(replies).containsExactly("Hello, Ada!", "你好，Ada！");
  }
}
