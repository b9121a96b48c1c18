package io.github.grpcmiddleware.testing;

import io.grpc.BindableService;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that runs an in-process gRPC server for a test and cleans up after it.
 *
 * <p>Register it with {@code @RegisterExtension}. On a {@code static} field the server lives for
 * the whole test class; on an instance field it is started before and stopped after each test.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final GrpcServerExtension grpc =
 *     GrpcServerExtension.builder().service(new GreeterImpl()).interceptor(myInterceptor).build();
 *
 * @Test
 * void greets() {
 *   GreeterGrpc.GreeterBlockingStub stub = GreeterGrpc.newBlockingStub(grpc.channel());
 *   ...
 * }
 * }</pre>
 *
 * <p>Handlers run on a small multi-threaded executor by default (four threads), so thread hops that
 * {@code directExecutor()} would hide are exercised. After the server's scope ends, channels and
 * servers are shut down gracefully when the test passed and immediately when it failed; the test
 * fails when any of them does not terminate within the shutdown timeout.
 *
 * <p>This class is thread-safe.
 */
public final class GrpcServerExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

  private static final AtomicInteger THREAD_COUNTER = new AtomicInteger();

  private final List<ServerServiceDefinition> services;
  private final List<ServerInterceptor> interceptors;
  private final int executorThreads;
  private final Duration shutdownTimeout;

  private final Object lock = new Object();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<Server> extraServers = new ArrayList<>();
  private @Nullable Server server;
  private @Nullable ExecutorService executor;
  private @Nullable String serverName;
  private boolean classScoped;

  private GrpcServerExtension(Builder builder) {
    this.services = Collections.unmodifiableList(new ArrayList<>(builder.services));
    this.interceptors = Collections.unmodifiableList(new ArrayList<>(builder.interceptors));
    this.executorThreads = builder.executorThreads;
    this.shutdownTimeout = builder.shutdownTimeout;
  }

  /**
   * Returns a new builder.
   *
   * @return a builder with no services, no interceptors, four handler threads and a five-second
   *     shutdown timeout
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    synchronized (lock) {
      classScoped = true;
      start();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop(context.getExecutionException().isPresent());
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    synchronized (lock) {
      if (!classScoped) {
        start();
      }
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    boolean perTest;
    synchronized (lock) {
      perTest = !classScoped;
    }
    if (perTest) {
      stop(context.getExecutionException().isPresent());
    }
  }

  /**
   * Opens a new channel to the server, closed when the server's scope ends.
   *
   * @param clientInterceptors interceptors for the channel, outermost first (the first one sees a
   *     call first); not null, may be empty
   * @return the channel; never null
   * @throws IllegalStateException when the server is not running
   */
  public ManagedChannel channel(ClientInterceptor... clientInterceptors) {
    synchronized (lock) {
      if (serverName == null) {
        throw new IllegalStateException("server not started (use @RegisterExtension)");
      }
      InProcessChannelBuilder builder = InProcessChannelBuilder.forName(serverName);
      List<ClientInterceptor> reversed = new ArrayList<>();
      Collections.addAll(reversed, clientInterceptors);
      // ManagedChannelBuilder.intercept runs the last-added interceptor first.
      Collections.reverse(reversed);
      ManagedChannel channel = builder.intercept(reversed).build();
      channels.add(channel);
      return channel;
    }
  }

  /**
   * Returns the running server.
   *
   * @return the server; never null
   * @throws IllegalStateException when the server is not running
   */
  public Server server() {
    synchronized (lock) {
      if (server == null) {
        throw new IllegalStateException("server not started (use @RegisterExtension)");
      }
      return server;
    }
  }

  /**
   * Registers a channel for shutdown when the server's scope ends.
   *
   * @param channel the channel; not null
   * @return {@code channel}
   */
  public ManagedChannel register(ManagedChannel channel) {
    synchronized (lock) {
      channels.add(channel);
    }
    return channel;
  }

  /**
   * Registers a further server for shutdown when this server's scope ends.
   *
   * @param other the server; not null
   * @return {@code other}
   */
  public Server register(Server other) {
    synchronized (lock) {
      extraServers.add(other);
    }
    return other;
  }

  private void start() {
    String name = InProcessServerBuilder.generateName();
    ExecutorService pool = Executors.newFixedThreadPool(executorThreads, daemonThreads());
    InProcessServerBuilder builder = InProcessServerBuilder.forName(name).executor(pool);
    // ServerInterceptors.intercept runs the last interceptor in the list first.
    List<ServerInterceptor> reversed = new ArrayList<>(interceptors);
    Collections.reverse(reversed);
    for (ServerServiceDefinition service : services) {
      builder.addService(ServerInterceptors.intercept(service, reversed));
    }
    try {
      server = builder.build().start();
    } catch (IOException e) {
      pool.shutdownNow();
      throw new UncheckedIOException(e);
    }
    executor = pool;
    serverName = name;
  }

  private void stop(boolean failed) {
    List<ManagedChannel> toClose;
    List<Server> servers = new ArrayList<>();
    ExecutorService pool;
    synchronized (lock) {
      toClose = new ArrayList<>(channels);
      channels.clear();
      if (server != null) {
        servers.add(server);
      }
      servers.addAll(extraServers);
      extraServers.clear();
      pool = executor;
      server = null;
      executor = null;
      serverName = null;
    }
    List<String> stuck = new ArrayList<>();
    for (ManagedChannel channel : toClose) {
      if (failed) {
        channel.shutdownNow();
      } else {
        channel.shutdown();
      }
    }
    for (Server s : servers) {
      if (failed) {
        s.shutdownNow();
      } else {
        s.shutdown();
      }
    }
    long deadline = System.nanoTime() + shutdownTimeout.toNanos();
    try {
      for (ManagedChannel channel : toClose) {
        if (!channel.awaitTermination(remaining(deadline), TimeUnit.NANOSECONDS)) {
          channel.shutdownNow();
          stuck.add("channel " + channel);
        }
      }
      for (Server s : servers) {
        if (!s.awaitTermination(remaining(deadline), TimeUnit.NANOSECONDS)) {
          s.shutdownNow();
          stuck.add("server " + s);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stuck.add("interrupted while waiting for shutdown");
    } finally {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
    if (!stuck.isEmpty()) {
      throw new AssertionError(
          "did not terminate within " + shutdownTimeout.toMillis() + " ms: " + stuck);
    }
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  private static ThreadFactory daemonThreads() {
    return runnable -> {
      Thread thread = new Thread(runnable, "grpc-test-server-" + THREAD_COUNTER.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * Configures a {@link GrpcServerExtension}.
   *
   * <p>Not thread-safe; {@link #build()} copies what it needs.
   */
  public static final class Builder {
    private final List<ServerServiceDefinition> services = new ArrayList<>();
    private final List<ServerInterceptor> interceptors = new ArrayList<>();
    private int executorThreads = 4;
    private Duration shutdownTimeout = Duration.ofSeconds(5);

    private Builder() {}

    /**
     * Adds a service.
     *
     * @param service the service; not null
     * @return this builder
     */
    public Builder service(BindableService service) {
      services.add(service.bindService());
      return this;
    }

    /**
     * Adds a service definition (for example one already wrapped in its own interceptors).
     *
     * @param service the definition; not null
     * @return this builder
     */
    public Builder service(ServerServiceDefinition service) {
      services.add(service);
      return this;
    }

    /**
     * Adds server interceptors applied to every service, outermost first: the first one added sees
     * a call first.
     *
     * @param serverInterceptors the interceptors; not null
     * @return this builder
     */
    public Builder interceptor(ServerInterceptor... serverInterceptors) {
      Collections.addAll(interceptors, serverInterceptors);
      return this;
    }

    /**
     * Sets how many threads run the handlers.
     *
     * @param threads at least 1; default 4
     * @return this builder
     */
    public Builder executorThreads(int threads) {
      this.executorThreads = threads;
      return this;
    }

    /**
     * Sets how long shutdown may take before the test fails.
     *
     * @param timeout positive; default five seconds
     * @return this builder
     */
    public Builder shutdownTimeout(Duration timeout) {
      this.shutdownTimeout = timeout;
      return this;
    }

    /**
     * Builds the extension.
     *
     * @return the extension; never null
     * @throws IllegalArgumentException when a setting is out of range
     */
    public GrpcServerExtension build() {
      if (executorThreads < 1) {
        throw new IllegalArgumentException(
            "executorThreads: " + executorThreads + " (expected: >= 1)");
      }
      if (shutdownTimeout.isNegative() || shutdownTimeout.isZero()) {
        throw new IllegalArgumentException(
            "shutdownTimeout: " + shutdownTimeout + " (expected: > 0)");
      }
      return new GrpcServerExtension(this);
    }
  }
}
