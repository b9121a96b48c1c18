package io.github.grpcmiddleware.reliability;

import io.github.grpcmiddleware.chain.ServerChain;
import io.grpc.BindableService;
import io.grpc.ClientInterceptor;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.MDC;

/**
 * A Netty server on 127.0.0.1 with the full chain and a small handler pool that the test owns, so
 * it can look at the pool's threads between calls (what the MDC holds there, which Errors escaped).
 */
final class ChainServer implements AutoCloseable {
  private static final AtomicInteger POOLS = new AtomicInteger();

  final int threads;
  final Server server;
  private final ExecutorService pool;
  private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();

  /** Throwables that escaped a task of the pool (what grpc-java rethrows, such as Errors). */
  final List<Throwable> escaped = new CopyOnWriteArrayList<>();

  private ChainServer(int threads, ServerInterceptor chain, BindableService... services) {
    this.threads = threads;
    int poolNumber = POOLS.incrementAndGet();
    AtomicInteger threadNumber = new AtomicInteger();
    pool =
        Executors.newFixedThreadPool(
            threads,
            task -> {
              Thread thread =
                  new Thread(
                      task, "chain-server-" + poolNumber + "-" + threadNumber.incrementAndGet());
              thread.setDaemon(true);
              thread.setUncaughtExceptionHandler((t, e) -> escaped.add(e));
              return thread;
            });
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
            .executor(pool);
    for (BindableService service : services) {
      builder.addService(ServerInterceptors.intercept(service, chain));
    }
    // The chain applied per service, as the docs say: with its stream tracer on the server.
    builder.addStreamTracerFactory(ServerChain.streamTracerFactory(chain));
    try {
      server = builder.build().start();
    } catch (IOException e) {
      pool.shutdownNow();
      throw new UncheckedIOException(e);
    }
  }

  static ChainServer start(int threads, ServerInterceptor chain, BindableService... services) {
    return new ChainServer(threads, chain, services);
  }

  /** A new plaintext channel to the server with the given client interceptors. */
  ManagedChannel channel(ClientInterceptor... interceptors) {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(
                "127.0.0.1", server.getPort(), InsecureChannelCredentials.create())
            .intercept(interceptors)
            .build();
    channels.add(channel);
    return channel;
  }

  /**
   * Runs a task on every thread of the pool at once (a barrier holds each until all arrived) and
   * returns what the MDC held on each, by thread name.
   */
  Map<String, Map<String, String>> mdcOfEveryPoolThread() throws Exception {
    Map<String, Map<String, String>> seen = new ConcurrentHashMap<>();
    CyclicBarrier barrier = new CyclicBarrier(threads);
    CountDownLatch done = new CountDownLatch(threads);
    for (int i = 0; i < threads; i++) {
      pool.execute(
          () -> {
            try {
              barrier.await(10, TimeUnit.SECONDS);
              Map<String, String> mdc = MDC.getCopyOfContextMap();
              seen.put(Thread.currentThread().getName(), mdc == null ? Map.of() : Map.copyOf(mdc));
            } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
              Thread.currentThread().interrupt();
            } finally {
              done.countDown();
            }
          });
    }
    if (!done.await(20, TimeUnit.SECONDS)) {
      throw new AssertionError("the pool did not run a task on each of its threads");
    }
    if (seen.size() != threads) {
      throw new AssertionError("saw " + seen.size() + " of " + threads + " pool threads");
    }
    return seen;
  }

  @Override
  public void close() throws InterruptedException {
    List<ManagedChannel> open = new ArrayList<>(channels);
    for (ManagedChannel channel : open) {
      channel.shutdownNow();
    }
    server.shutdownNow();
    for (ManagedChannel channel : open) {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
    server.awaitTermination(5, TimeUnit.SECONDS);
    pool.shutdownNow();
    pool.awaitTermination(5, TimeUnit.SECONDS);
  }
}
