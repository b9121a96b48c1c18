package io.github.grpcmiddleware.logging;

import io.grpc.ServerInterceptor;

/**
 * Builds the server access-log interceptor; see {@link AccessLog} for what a line holds. Default
 * levels: INFO for every code except {@code INTERNAL}, {@code UNKNOWN} and {@code DATA_LOSS}, which
 * are WARN (error mapping already logs the exception itself at ERROR, so a failure gives one ERROR
 * line).
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs, and the interceptor it returns is
 * thread-safe.
 */
public final class AccessLogServerBuilder extends AccessLogBuilder<AccessLogServerBuilder> {
  AccessLogServerBuilder() {
    super(AccessLog.SERVER_LOGGER_NAME);
  }

  @Override
  AccessLogServerBuilder self() {
    return this;
  }

  /**
   * Builds the interceptor.
   *
   * @return the interceptor; never null
   * @throws IllegalArgumentException when a setting is out of range
   */
  public ServerInterceptor build() {
    return new AccessLogServerInterceptor(writer("server"), excluded());
  }
}
