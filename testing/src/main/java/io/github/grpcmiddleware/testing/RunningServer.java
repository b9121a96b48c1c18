package io.github.grpcmiddleware.testing;

import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/** A started server with its handler pool and the address channels connect to. */
final class RunningServer {
  private static final AtomicInteger POOL_COUNTER = new AtomicInteger();

  final Server server;
  final @Nullable ExecutorService pool;
  private final @Nullable String inProcessName;

  private RunningServer(Server server, @Nullable ExecutorService pool, @Nullable String name) {
    this.server = server;
    this.pool = pool;
    this.inProcessName = name;
  }

  static RunningServer start(
      List<ServerServiceDefinition> services,
      List<ServerInterceptor> interceptors,
      boolean netty,
      boolean directExecutor,
      int threads) {
    ServerBuilder<?> builder;
    String name = null;
    if (netty) {
      builder = NettyTransport.serverBuilder();
    } else {
      name = InProcessServerBuilder.generateName();
      builder = InProcessServerBuilder.forName(name);
    }
    ExecutorService pool = null;
    if (directExecutor) {
      builder.directExecutor();
    } else {
      pool = Executors.newFixedThreadPool(threads, daemonThreads());
      builder.executor(pool);
    }
    // ServerInterceptors.intercept runs the last interceptor in the list first.
    List<ServerInterceptor> reversed = new ArrayList<>(interceptors);
    Collections.reverse(reversed);
    for (ServerServiceDefinition service : services) {
      builder.addService(ServerInterceptors.intercept(service, reversed));
    }
    try {
      return new RunningServer(builder.build().start(), pool, name);
    } catch (IOException | RuntimeException e) {
      if (pool != null) {
        pool.shutdownNow();
      }
      if (e instanceof IOException) {
        throw new UncheckedIOException(
            "GrpcServerExtension: the server did not start", (IOException) e);
      }
      throw (RuntimeException) e;
    }
  }

  ManagedChannelBuilder<?> channelBuilder() {
    if (inProcessName != null) {
      return InProcessChannelBuilder.forName(inProcessName);
    }
    return NettyTransport.channelBuilder(server.getPort());
  }

  private static ThreadFactory daemonThreads() {
    int poolNumber = POOL_COUNTER.incrementAndGet();
    AtomicInteger threadNumber = new AtomicInteger();
    return runnable -> {
      Thread thread =
          new Thread(
              runnable, "grpc-test-server-" + poolNumber + "-" + threadNumber.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
