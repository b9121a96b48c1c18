package io.github.grpcmiddleware.testing;

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
 * <p>The server is in-process by default; {@link GrpcServerExtensionBuilder#netty()} serves
 * plaintext HTTP/2 on {@code 127.0.0.1} with a free port instead, for tests where the transport
 * matters. Handlers run on a small multi-threaded executor by default (four threads named {@code
 * grpc-test-server-*}), so thread hops that {@code directExecutor()} would hide are exercised.
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

  GrpcServerExtension(GrpcServerExtensionBuilder builder) {
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
  public static GrpcServerExtensionBuilder builder() {
    return new GrpcServerExtensionBuilder();
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
   * <p>In-process by default; with {@link GrpcServerExtensionBuilder#netty()} a plaintext channel
   * to {@code 127.0.0.1}.
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
}
