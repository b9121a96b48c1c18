package io.github.grpcmiddleware.testsupport;

import io.github.grpcmiddleware.chain.ServerChain;
import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A Netty server on 127.0.0.1 with a chain installed as users install it ({@link
 * ServerChain#install}: with its stream tracer), its own executor, one service, and a channel to
 * it.
 */
public final class NettyChainServer implements AutoCloseable {
  public final Server server;
  public final ManagedChannel channel;

  private NettyChainServer(Server server) {
    this.server = server;
    this.channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", server.getPort(), InsecureChannelCredentials.create())
            .build();
  }

  /**
   * Starts the server.
   *
   * @param outermost interceptors outside the chain, which see every attempt as it arrives
   */
  public static NettyChainServer start(
      ServerInterceptor chain,
      BindableService service,
      Executor executor,
      ServerInterceptor... outermost)
      throws IOException {
    ServerBuilder<?> builder =
        ServerChain.install(
            Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).executor(executor),
            chain);
    for (ServerInterceptor interceptor : outermost) {
      builder.intercept(interceptor); // registered after the chain: runs before it
    }
    return new NettyChainServer(builder.addService(service).build().start());
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    server.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    server.awaitTermination(5, TimeUnit.SECONDS);
  }
}
