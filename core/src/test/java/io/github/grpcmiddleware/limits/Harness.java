package io.github.grpcmiddleware.limits;

import io.grpc.BindableService;
import io.grpc.ClientInterceptor;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** A real server (in-process, or Netty on 127.0.0.1) with one service behind an interceptor. */
final class Harness implements AutoCloseable {
  final Server server;
  final ManagedChannel channel;

  private Harness(Server server, ManagedChannel channel) {
    this.server = server;
    this.channel = channel;
  }

  static Harness inProcess(
      BindableService service, ServerInterceptor interceptor, ClientInterceptor... client)
      throws IOException {
    String name = InProcessServerBuilder.generateName();
    Server server =
        InProcessServerBuilder.forName(name)
            .addService(ServerInterceptors.intercept(service, interceptor))
            .build()
            .start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).intercept(client).build();
    return new Harness(server, channel);
  }

  /** An in-process server with one service definition, wrapped in its interceptors already. */
  static Harness inProcess(ServerServiceDefinition service, ClientInterceptor... client)
      throws IOException {
    String name = InProcessServerBuilder.generateName();
    Server server = InProcessServerBuilder.forName(name).addService(service).build().start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).intercept(client).build();
    return new Harness(server, channel);
  }

  static Harness netty(BindableService service, ServerInterceptor interceptor) throws IOException {
    Server server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(ServerInterceptors.intercept(service, interceptor))
            .build()
            .start();
    return new Harness(server, nettyChannel(server));
  }

  static ManagedChannel nettyChannel(Server server) {
    return Grpc.newChannelBuilderForAddress(
            "127.0.0.1", server.getPort(), InsecureChannelCredentials.create())
        .build();
  }

  SimpleServiceGrpc.SimpleServiceBlockingStub blocking() {
    return SimpleServiceGrpc.newBlockingStub(channel);
  }

  SimpleServiceGrpc.SimpleServiceStub async() {
    return SimpleServiceGrpc.newStub(channel);
  }

  static SimpleRequest request(String text) {
    return SimpleRequest.newBuilder().setRequestMessage(text).build();
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    server.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    server.awaitTermination(5, TimeUnit.SECONDS);
  }
}
