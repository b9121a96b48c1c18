package io.github.grpcmiddleware.testing;

import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Configures a {@link GrpcServerExtension}; obtained from {@link GrpcServerExtension#builder()}.
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs, so one builder may build several
 * extensions.
 */
public final class GrpcServerExtensionBuilder {
  final List<ServerServiceDefinition> services = new ArrayList<>();
  final List<ServerInterceptor> interceptors = new ArrayList<>();
  int executorThreads = 4;
  boolean directExecutor;
  boolean netty;
  Duration shutdownTimeout = Duration.ofSeconds(5);

  GrpcServerExtensionBuilder() {}

  /**
   * Adds a service.
   *
   * @param service the service; not null
   * @return this builder
   */
  public GrpcServerExtensionBuilder service(BindableService service) {
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
  public GrpcServerExtensionBuilder service(ServerServiceDefinition service) {
    Objects.requireNonNull(service, "service");
    services.add(service);
    return this;
  }

  /**
   * Adds server interceptors applied to every service, outermost first: the first one added sees a
   * call first.
   *
   * @param serverInterceptors the interceptors; not null
   * @return this builder
   */
  public GrpcServerExtensionBuilder interceptor(ServerInterceptor... serverInterceptors) {
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
  public GrpcServerExtensionBuilder executorThreads(int threads) {
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
  public GrpcServerExtensionBuilder directExecutor() {
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
  public GrpcServerExtensionBuilder netty() {
    this.netty = true;
    return this;
  }

  /**
   * Sets how long shutdown may take before the test fails.
   *
   * @param timeout positive; not null; default five seconds
   * @return this builder
   */
  public GrpcServerExtensionBuilder shutdownTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    this.shutdownTimeout = timeout;
    return this;
  }

  /**
   * Builds the extension.
   *
   * @return the extension; never null
   * @throws IllegalArgumentException when a setting is out of range
   * @throws IllegalStateException when {@link #netty()} was chosen and grpc-netty-shaded is missing
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
