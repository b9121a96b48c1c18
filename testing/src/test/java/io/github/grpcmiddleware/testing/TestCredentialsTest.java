package io.github.grpcmiddleware.testing;

import static io.github.grpcmiddleware.testing.EchoService.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallCredentials;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Test credentials reach the server in-process (Netty is covered in NettyServerExtensionTest). */
class TestCredentialsTest {
  final ServerCallCapture capture = ServerCallCapture.create();

  @RegisterExtension
  final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new EchoService())
          .interceptor(capture.interceptor())
          .build();

  void callWith(CallCredentials credentials) {
    grpc.stub(SimpleServiceGrpc::newBlockingStub)
        .withCallCredentials(credentials)
        .unaryRpc(request("x"));
  }

  @Test
  void bearerSendsTheAuthorizationHeader() {
    callWith(TestCredentials.bearer("abc.def"));

    assertThat(capture.lastCall().header("authorization")).isEqualTo("Bearer abc.def");
  }

  @Test
  void apiKeySendsTheApiKeyHeader() {
    callWith(TestCredentials.apiKey("k-123"));

    assertThat(capture.lastCall().header("x-api-key")).isEqualTo("k-123");
    assertThat(capture.lastCall().header("authorization")).isNull();
  }

  @Test
  void anyHeaderCanBeSentAsIs() {
    callWith(TestCredentials.header("authorization", "Basic dXNlcjpwYXNz"));

    assertThat(capture.lastCall().header("authorization")).isEqualTo("Basic dXNlcjpwYXNz");
  }

  @Test
  void theSecretNeverAppearsInToString() {
    assertThat(TestCredentials.bearer("canary-secret").toString())
        .isEqualTo("TestCredentials{authorization}")
        .doesNotContain("canary-secret");
  }

  @Test
  void invalidHeaderNamesAreRejected() {
    assertThatThrownBy(() -> TestCredentials.header("bad name", "v"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
