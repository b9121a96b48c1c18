package io.github.grpcmiddleware.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testsupport.Rpcs;
import io.grpc.CallCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Plaintext behaviour needs a real transport: the in-process one always reports privacy. */
class AuthPlaintextNettyTest {

  @RegisterExtension final GrpcServerExtension grpc = GrpcServerExtension.builder().build();

  final RecordingService service = new RecordingService();

  @Test
  void clientRefusesToSendCredentialsOverPlaintextByDefault() throws Exception {
    ManagedChannel channel = plaintextChannel(start(Auth.serverBuilder()));

    Rpcs.Outcome outcome = unary(channel, Auth.clientBuilder().bearerToken("tok-1").build());

    assertThat(outcome.code()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(outcome.status().getDescription())
        .startsWith("Client credentials refused")
        .contains("allowPlaintextLoopback(true)", "allowPlaintext(true)");
    assertThat(service.handlerCalls).hasValue(0);
  }

  @Test
  void clientSendsOverPlaintextWhenAllowedExplicitly() throws Exception {
    ManagedChannel channel = plaintextChannel(start(Auth.serverBuilder()));

    CallCredentials loopback =
        Auth.clientBuilder().bearerToken("tok-1").allowPlaintextLoopback(true).build();
    CallCredentials anywhere =
        Auth.clientBuilder()
            .bearerToken(() -> AccessToken.of("tok-1", null))
            .allowPlaintext(true)
            .build();

    assertThat(unary(channel, loopback).responses()).containsExactly("tok-1-user");
    assertThat(unary(channel, anywhere).responses()).containsExactly("tok-1-user");
  }

  @Test
  void serverRequiringTransportSecurityAcceptsLoopbackByDefault() throws Exception {
    ManagedChannel channel =
        plaintextChannel(start(Auth.serverBuilder().requireTransportSecurity(true)));

    Rpcs.Outcome outcome =
        unary(channel, Auth.clientBuilder().bearerToken("tok-1").allowPlaintext(true).build());

    assertThat(outcome.responses()).containsExactly("tok-1-user");
  }

  @Test
  void serverRequiringTransportSecurityRejectsPlaintextWithoutTheLoopbackAllowance()
      throws Exception {
    ManagedChannel channel =
        plaintextChannel(
            start(
                Auth.serverBuilder().requireTransportSecurity(true).allowPlaintextLoopback(false)));

    Rpcs.Outcome outcome =
        unary(channel, Auth.clientBuilder().bearerToken("tok-1").allowPlaintext(true).build());

    AuthServerTest.assertRejected(outcome, AuthRejection.INSECURE);
    assertThat(service.handlerCalls).hasValue(0);
  }

  private Server start(AuthServerBuilder auth) throws Exception {
    Server server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
            .addService(
                ServerInterceptors.intercept(
                    service,
                    auth.authenticator(Authenticators.bearerTokens(Map.of("tok-1", "tok-1-user")))
                        .build()))
            .build()
            .start();
    return grpc.register(server);
  }

  private ManagedChannel plaintextChannel(Server server) {
    return grpc.register(
        NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build());
  }

  private static Rpcs.Outcome unary(ManagedChannel channel, CallCredentials credentials) {
    return Rpcs.unary(
        SimpleServiceGrpc.newBlockingStub(channel)
            .withCallCredentials(credentials)
            .withDeadlineAfter(10, TimeUnit.SECONDS));
  }
}
