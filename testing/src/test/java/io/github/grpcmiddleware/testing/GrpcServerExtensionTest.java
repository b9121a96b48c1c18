package io.github.grpcmiddleware.testing;

import static io.github.grpcmiddleware.testing.EchoService.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Executor choice, interceptor order and the messages of misuse. */
class GrpcServerExtensionTest {
  final List<String> threads = new CopyOnWriteArrayList<>();

  @RegisterExtension
  final GrpcServerExtension pooled =
      GrpcServerExtension.builder()
          .service(new EchoService(() -> threads.add(Thread.currentThread().getName())))
          .build();

  @RegisterExtension
  final GrpcServerExtension direct =
      GrpcServerExtension.builder()
          .service(new EchoService(() -> threads.add(Thread.currentThread().getName())))
          .directExecutor()
          .build();

  final List<String> order = new CopyOnWriteArrayList<>();

  @RegisterExtension
  final GrpcServerExtension ordered =
      GrpcServerExtension.builder()
          .service(new EchoService())
          .interceptor(OrderInterceptors.server("first", order))
          .interceptor(OrderInterceptors.server("second", order))
          .build();

  @Test
  void handlersRunOnNamedPoolThreadsByDefault() {
    pooled.stub(SimpleServiceGrpc::newBlockingStub).unaryRpc(request("x"));

    assertThat(threads).singleElement().asString().startsWith("grpc-test-server-");
  }

  @Test
  void directExecutorRunsHandlersOffThePool() {
    direct.stub(SimpleServiceGrpc::newBlockingStub).unaryRpc(request("x"));

    assertThat(threads).singleElement().asString().doesNotStartWith("grpc-test-server-");
  }

  @Test
  void interceptorsRunInTheOrderGiven() {
    ordered
        .stub(
            SimpleServiceGrpc::newBlockingStub,
            OrderInterceptors.client("client-first", order),
            OrderInterceptors.client("client-second", order))
        .unaryRpc(request("x"));

    assertThat(order).containsExactly("client-first", "client-second", "first", "second");
  }

  @Test
  void usingTheExtensionBeforeItStartedSaysHowToRegisterIt() {
    GrpcServerExtension grpc = GrpcServerExtension.builder().build();

    assertThatThrownBy(grpc::channel)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not running")
        .hasMessageContaining("@RegisterExtension");
    assertThatThrownBy(grpc::server).hasMessageContaining("not running");
  }

  @Test
  void portIsOnlyForNetty() {
    assertThatThrownBy(pooled::port)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("port() is only for a Netty server: build the extension with netty()");
  }

  @Test
  void builderRejectsSettingsOutOfRange() {
    assertThatThrownBy(() -> GrpcServerExtension.builder().executorThreads(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("executorThreads: 0 (expected: >= 1)");
    assertThatThrownBy(() -> GrpcServerExtension.builder().shutdownTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shutdownTimeout: PT0S (expected: > 0)");
  }
}
