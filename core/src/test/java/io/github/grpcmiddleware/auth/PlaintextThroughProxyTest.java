package io.github.grpcmiddleware.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testsupport.Rpcs;
import io.grpc.CallCredentials;
import io.grpc.HttpConnectProxiedSocketAddress;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code allowPlaintextLoopback(true)} and a local HTTP CONNECT proxy: the connection's peer is the
 * proxy on 127.0.0.1, but the bytes go on, still in plaintext, to the host the call is addressed
 * to. The server plays that host: it listens on 127.0.0.1 (tests reach no other machine) and the
 * channel names it {@code example.invalid}, which only the proxy resolves.
 */
class PlaintextThroughProxyTest {

  @RegisterExtension final GrpcServerExtension grpc = GrpcServerExtension.builder().build();

  final RecordingService service = new RecordingService();
  final CallCredentials loopbackOnly =
      Auth.clientBuilder().bearerToken("tok-1").allowPlaintextLoopback(true).build();
  ConnectProxy proxy;
  Server server;

  @BeforeEach
  void start() throws IOException {
    proxy = new ConnectProxy();
    server =
        grpc.register(
            NettyServerBuilder.forAddress(
                    new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
                .addService(
                    ServerInterceptors.intercept(
                        service,
                        Auth.serverBuilder()
                            .authenticator(
                                Authenticators.bearerTokens(Map.of("tok-1", "tok-1-user")))
                            .build()))
                .build()
                .start());
  }

  @AfterEach
  void stopProxy() throws IOException {
    proxy.close();
  }

  @Test
  void aCallAddressedToAnotherHostThroughALoopbackProxyIsRefused() {
    String target = "example.invalid:" + server.getPort();
    ManagedChannel channel = proxiedChannel(target);

    Rpcs.Outcome outcome = unary(channel, loopbackOnly);

    assertThat(proxy.connectTargets).as("the proxy tunnelled the connection").contains(target);
    assertThat(outcome.code()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(outcome.status().getDescription())
        .startsWith("Client credentials refused")
        .contains("addressed to " + target, "allowPlaintext(true)");
    assertThat(service.handlerCalls).as("calls the remote server saw").hasValue(0);
  }

  @Test
  void aCallAddressedToLocalhostThroughALoopbackProxyIsAllowed() {
    String target = "localhost:" + server.getPort();
    ManagedChannel channel = proxiedChannel(target);

    Rpcs.Outcome outcome = unary(channel, loopbackOnly);

    assertThat(proxy.connectTargets).contains(target);
    assertThat(outcome.responses()).containsExactly("tok-1-user");
  }

  @Test
  void aLoopbackConnectionForACallAddressedToAnotherNameIsRefused() {
    ManagedChannel channel =
        grpc.register(
            NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
                .overrideAuthority("example.invalid")
                .usePlaintext()
                .build());

    Rpcs.Outcome refused = unary(channel, loopbackOnly);
    Rpcs.Outcome allowed =
        unary(channel, Auth.clientBuilder().bearerToken("tok-1").allowPlaintext(true).build());

    assertThat(refused.code()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(refused.status().getDescription()).contains("addressed to example.invalid");
    assertThat(allowed.responses()).containsExactly("tok-1-user");
    assertThat(service.handlerCalls).hasValue(1);
  }

  private ManagedChannel proxiedChannel(String target) {
    InetSocketAddress proxyAddress = proxy.address();
    return grpc.register(
        NettyChannelBuilder.forTarget(target)
            .proxyDetector(
                destination ->
                    HttpConnectProxiedSocketAddress.newBuilder()
                        .setProxyAddress(proxyAddress)
                        .setTargetAddress((InetSocketAddress) destination)
                        .build())
            .usePlaintext()
            .build());
  }

  private static Rpcs.Outcome unary(ManagedChannel channel, CallCredentials credentials) {
    return Rpcs.unary(
        SimpleServiceGrpc.newBlockingStub(channel)
            .withCallCredentials(credentials)
            .withDeadlineAfter(10, TimeUnit.SECONDS));
  }
}
