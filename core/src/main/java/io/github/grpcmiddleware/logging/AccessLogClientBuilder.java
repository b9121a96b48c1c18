package io.github.grpcmiddleware.logging;

import io.grpc.ClientInterceptor;

/**
 * Builds the client access-log interceptor; install it nearest the application (first), so it times
 * the whole call as the application sees it.
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs.
 */
public final class AccessLogClientBuilder extends AccessLogBuilder<AccessLogClientBuilder> {
  AccessLogClientBuilder() {
    super(AccessLog.CLIENT_LOGGER_NAME);
  }

  @Override
  AccessLogClientBuilder self() {
    return this;
  }

  /**
   * Builds the interceptor.
   *
   * @return the interceptor; never null
   * @throws IllegalArgumentException when a setting is out of range
   */
  public ClientInterceptor build() {
    return new AccessLogClientInterceptor(writer("client"), excluded());
  }
}
