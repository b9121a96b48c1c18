package io.github.grpcmiddleware.testing;

import io.grpc.BindableService;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.AbstractStub;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that runs a gRPC server for a test and cleans up after it.
 *
 * <p>Register it with {@code @RegisterExtension}. On a {@code static} field the server lives for
 * the whole test class (including its {@code @Nested} classes); on an instance field it is started
 * before and stopped after each test.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final GrpcServerExtension grpc =
 *     GrpcServerExtension.builder().service(new GreeterImpl()).interceptor(myInterceptor).build();
 *
 * @Test
 * void greets() {
 *   GreeterGrpc.GreeterBlockingStub stub = grpc.stub(GreeterGrpc::newBlockingStub);
 *   ...
 * }
 * }</pre>
 *
 * <p>The server is in-process by default; {@link Builder#netty()} serves plaintext HTTP/2 on {@code
 * 127.0.0.1} with a free port instead, for tests where the transport matters. Handlers run on a
 * small multi-threaded executor by default (four threads named {@code grpc-test-server-*}), so
 * thread hops that {@code directExecutor()} would hide are exercised.
 *
 * <p>When the server's scope ends, channels and servers are shut down gracefully when the tests
 * passed and immediately when one failed; the test (or class) then fails when any of them does not
 * terminate within the shutdown timeout, with a message naming what was left running.
 *
 * <p>This class is thread-safe.
 */
public final class GrpcServerExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

  private static final String NOT_RUNNING =
      "GrpcServerExtension is not running: register it with @RegisterExtension and use it from a"
          + " test, @BeforeEach or @AfterEach (or from @BeforeAll/@AfterAll when the field is"
          + " static), not from a field initializer or constructor";

  private final List<ServerServiceDefinition> services;
  private final List<ServerInterceptor> interceptors;
  private final int executorThreads;
  private final boolean directExecutor;
  private final boolean netty;
  private final Duration shutdownTimeout;

  private final Object lock = new Object();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<Server> extraServers = new ArrayList<>();
  private @Nullable RunningServer running;
  private boolean classScoped;
  private int scopes;
  private boolean failed;

  private GrpcServerExtension(Builder builder) {
    this.services = Collections.unmodifiableList(new ArrayList<>(builder.services));
    this.interceptors = Collections.unmodifiableList(new ArrayList<>(builder.interceptors));
    this.executorThreads = builder.executorThreads;
    this.directExecutor = builder.directExecutor;
    this.netty = builder.netty;
    this.shutdownTimeout = builder.shutdownTimeout;
  }

  /**
   * Returns a new builder.
   *
   * @return a builder with no services, no interceptors, an in-process transport, four handler
   *     threads and a five-second shutdown timeout
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    synchronized (lock) {
      classScoped = true;
      enterScope();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (context.getExecutionException().isPresent()) {
      synchronized (lock) {
        failed = true;
      }
    }
    exitScope();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    synchronized (lock) {
      if (!classScoped) {
        enterScope();
      }
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    boolean perTest;
    synchronized (lock) {
      if (context.getExecutionException().isPresent()) {
        failed = true;
      }
      perTest = !classScoped;
    }
    if (perTest) {
      exitScope();
    }
  }

  /**
   * Opens a new channel to the server, closed when the server's scope ends.
   *
   * <p>In-process by default; with {@link Builder#netty()} a plaintext channel to {@code
   * 127.0.0.1}.
   *
   * @param clientInterceptors interceptors for the channel, outermost first (the first one sees a
   *     call first); not null, may be empty
   * @return the channel; never null
   * @throws IllegalStateException when the server is not running
   */
  public ManagedChannel channel(ClientInterceptor... clientInterceptors) {
    Objects.requireNonNull(clientInterceptors, "clientInterceptors");
    synchronized (lock) {
      ManagedChannelBuilder<?> builder = running().channelBuilder();
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
   * Opens a new channel (see {@link #channel(ClientInterceptor...)}) and returns a stub on it.
   *
   * @param newStub the generated factory, for example {@code SimpleServiceGrpc::newBlockingStub};
   *     not null
   * @param clientInterceptors interceptors for the channel, outermost first; not null
   * @param <S> the stub type
   * @return the stub; never null
   * @throws IllegalStateException when the server is not running
   */
  public <S extends AbstractStub<S>> S stub(
      Function<? super Channel, S> newStub, ClientInterceptor... clientInterceptors) {
    Objects.requireNonNull(newStub, "newStub");
    Objects.requireNonNull(clientInterceptors, "clientInterceptors");
    return newStub.apply(channel(clientInterceptors));
  }

  /**
   * Returns the running server.
   *
   * @return the server; never null
   * @throws IllegalStateException when the server is not running
   */
  public Server server() {
    synchronized (lock) {
      return running().server;
    }
  }

  private RunningServer running() {
    RunningServer current = running;
    if (current == null) {
      throw new IllegalStateException(NOT_RUNNING);
    }
    return current;
  }

  /**
   * Returns the port of the Netty server on {@code 127.0.0.1}, for clients built outside this
   * extension (another language's client, a channel with its own options).
   *
   * @return the port; a free one chosen by the operating system
   * @throws IllegalStateException when the server is in-process or not running
   */
  public int port() {
    synchronized (lock) {
      if (!netty) {
        throw new IllegalStateException(
            "port() is only for a Netty server: build the extension with netty()");
      }
      return running().server.getPort();
    }
  }

  /**
   * Registers a channel for shutdown when the server's scope ends.
   *
   * @param channel the channel; not null
   * @return {@code channel}
   */
  public ManagedChannel register(ManagedChannel channel) {
    Objects.requireNonNull(channel, "channel");
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
    Objects.requireNonNull(other, "other");
    synchronized (lock) {
      extraServers.add(other);
    }
    return other;
  }

  // Scopes nest (a static extension also sees the @BeforeAll of each @Nested class): only the
  // outermost one starts and stops the server.
  private void enterScope() {
    if (scopes == 0) {
      failed = false;
      running = RunningServer.start(services, interceptors, netty, directExecutor, executorThreads);
    }
    scopes++;
  }

  private void exitScope() {
    List<ManagedChannel> toClose;
    List<Server> servers = new ArrayList<>();
    ExecutorService pool = null;
    boolean immediately;
    synchronized (lock) {
      if (scopes == 0 || --scopes > 0) {
        return;
      }
      toClose = new ArrayList<>(channels);
      channels.clear();
      if (running != null) {
        servers.add(running.server);
        pool = running.pool;
        running = null;
      }
      servers.addAll(extraServers);
      extraServers.clear();
      immediately = failed;
    }
    String problem = Cleanup.shutDown(toClose, servers, pool, immediately, shutdownTimeout);
    if (problem != null) {
      throw new AssertionError(problem);
    }
  }

  /**
   * Configures a {@link GrpcServerExtension}.
   *
   * <p>Not thread-safe; {@link #build()} copies what it needs, so one builder may build several
   * extensions.
   */
  public static final class Builder {
    private final List<ServerServiceDefinition> services = new ArrayList<>();
    private final List<ServerInterceptor> interceptors = new ArrayList<>();
    private int executorThreads = 4;
    private boolean directExecutor;
    private boolean netty;
    private Duration shutdownTimeout = Duration.ofSeconds(5);

    private Builder() {}

    /**
     * Adds a service.
     *
     * @param service the service; not null
     * @return this builder
     */
    public Builder service(BindableService service) {
      Objects.requireNonNull(service, "service");
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
      Objects.requireNonNull(service, "service");
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
      Objects.requireNonNull(serverInterceptors, "serverInterceptors");
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
     * Runs handlers on the transport thread instead of a pool, as {@code
     * ServerBuilder.directExecutor()} does. Hides thread hops and how errors propagate, so use it
     * only beside tests with the default pool.
     *
     * @return this builder
     */
    public Builder directExecutor() {
      this.directExecutor = true;
      return this;
    }

    /**
     * Serves over Netty with plaintext HTTP/2 on {@code 127.0.0.1} and a free port instead of
     * in-process, for tests where the transport matters (header size limits, plaintext, real
     * deadlines). Needs {@code io.grpc:grpc-netty-shaded} on the test class path.
     *
     * @return this builder
     */
    public Builder netty() {
      this.netty = true;
      return this;
    }

    /**
     * Sets how long shutdown may take before the test fails.
     *
     * @param timeout positive; not null; default five seconds
     * @return this builder
     */
    public Builder shutdownTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      this.shutdownTimeout = timeout;
      return this;
    }

    /**
     * Builds the extension.
     *
     * @return the extension; never null
     * @throws IllegalArgumentException when a setting is out of range
     * @throws IllegalStateException when {@link #netty()} was chosen and grpc-netty-shaded is
     *     missing
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
      if (netty) {
        NettyTransport.checkAvailable();
      }
      return new GrpcServerExtension(this);
    }
  }
}
