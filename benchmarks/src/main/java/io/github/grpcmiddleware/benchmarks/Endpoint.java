package io.github.grpcmiddleware.benchmarks;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A running server with the {@link EchoService} behind a stack's interceptors, and a channel to it
 * with the stack's client interceptors.
 *
 * <p>Both sides use {@code directExecutor()}: callbacks run on the transport's thread (the caller's
 * thread in-process, the event loop on Netty). That removes thread hand-offs, which cost more than
 * any interceptor and vary with the load of this 2-core machine, so the numbers compare the
 * interceptors; real servers use an executor and pay that hand-off on top, with or without us.
 */
final class Endpoint implements AutoCloseable {

  final Server server;
  final ManagedChannel channel;

  private Endpoint(Server server, ManagedChannel channel) {
    this.server = server;
    this.channel = channel;
  }

  /**
   * Starts an in-process server and channel.
   *
   * @param stack the interceptors
   * @return the endpoint; close it at teardown
   */
  static Endpoint inProcess(Stack stack) throws IOException {
    return inProcess(stack, new EchoService());
  }

  static Endpoint inProcess(Stack stack, BindableService service) throws IOException {
    String name = InProcessServerBuilder.generateName();
    Server server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(ServerInterceptors.intercept(service, stack.serverForIntercept()))
            .build()
            .start();
    ManagedChannel channel =
        InProcessChannelBuilder.forName(name)
            .directExecutor()
            .intercept(stack.clientForIntercept())
            .build();
    return new Endpoint(server, channel);
  }

  /**
   * Starts a Netty server on 127.0.0.1 (a free port) and a plaintext channel to it.
   *
   * @param stack the interceptors
   * @return the endpoint; close it at teardown
   */
  static Endpoint netty(Stack stack) throws IOException {
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .directExecutor()
            .addService(ServerInterceptors.intercept(new EchoService(), stack.serverForIntercept()))
            .build()
            .start();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
            .usePlaintext()
            .directExecutor()
            .intercept(stack.clientForIntercept())
            .build();
    return new Endpoint(server, channel);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    server.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    server.awaitTermination(5, TimeUnit.SECONDS);
  }
}
