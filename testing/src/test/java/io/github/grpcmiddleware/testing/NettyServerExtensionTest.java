package io.github.grpcmiddleware.testing;

import static io.github.grpcmiddleware.testing.EchoService.request;
import static io.github.grpcmiddleware.testing.GrpcAssertions.assertThatCall;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Netty variant: plaintext HTTP/2 on 127.0.0.1 with a free port. */
class NettyServerExtensionTest {
  static final AtomicBoolean SLOW = new AtomicBoolean();
  static final ServerCallCapture capture = ServerCallCapture.create();

  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .netty()
          .service(new EchoService(NettyServerExtensionTest::maybeSleep))
          .interceptor(capture.interceptor())
          .build();

  static void maybeSleep() {
    if (SLOW.get()) {
      try {
        Thread.sleep(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @AfterEach
  void fast() {
    SLOW.set(false);
  }

  @Test
  void servesOnLoopbackWithAFreePort() {
    assertThat(grpc.port()).isPositive();
    assertThat(grpc.server().getListenSockets())
        .singleElement()
        .isInstanceOfSatisfying(
            InetSocketAddress.class,
            address -> {
              assertThat(address.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
              assertThat(address.getPort()).isEqualTo(grpc.port());
            });
  }

  @Test
  void channelsSpeakPlaintextHttp2ToIt() {
    String reply =
        grpc.stub(SimpleServiceGrpc::newBlockingStub)
            .unaryRpc(request("over netty"))
            .getResponseMessage();

    assertThat(reply).isEqualTo("over netty");
    assertThat(capture.lastCall().header("user-agent")).startsWith("grpc-java-netty/");
    assertThat(capture.lastCall().header("content-type")).isEqualTo("application/grpc");
  }

  @Test
  void bearerCredentialsAreSentOverPlaintext() {
    grpc.stub(SimpleServiceGrpc::newBlockingStub)
        .withCallCredentials(TestCredentials.bearer("t0k3n"))
        .unaryRpc(request("x"));

    assertThat(capture.lastCall().header("authorization")).isEqualTo("Bearer t0k3n");
  }

  @Test
  void deadlinesExpireOnTheRealTransport() {
    SLOW.set(true);
    SimpleServiceGrpc.SimpleServiceBlockingStub stub =
        grpc.stub(SimpleServiceGrpc::newBlockingStub).withDeadlineAfter(100, TimeUnit.MILLISECONDS);

    assertThatCall(() -> stub.unaryRpc(request("late"))).failsWith(Status.Code.DEADLINE_EXCEEDED);
  }
}
