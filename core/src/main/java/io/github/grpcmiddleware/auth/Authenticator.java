package io.github.grpcmiddleware.auth;

import io.grpc.Attributes;
import io.grpc.Metadata;
import java.security.Principal;
import org.jspecify.annotations.Nullable;

/**
 * Decides who is calling, from the call's request headers.
 *
 * <p>Auth calls it once per call, before the service sees the call, on the server's call executor
 * (the thread that runs {@code ServerInterceptor.interceptCall}, never a transport thread): it may
 * block, for example on a token introspection endpoint, but every millisecond it blocks holds a
 * server thread. Ready-made implementations are in {@link Authenticators}.
 *
 * <p>Implementations must be thread-safe and must not log or put credentials into exception
 * messages. Reject with {@link AuthenticationException}; any other exception rejects the call with
 * {@code UNAUTHENTICATED} (its class name is logged at WARN, never its message).
 */
@FunctionalInterface
public interface Authenticator {

  /**
   * Identifies the caller.
   *
   * @param headers the call's request headers; not null; do not modify
   * @param transportAttributes the call's transport attributes (remote address, security level, TLS
   *     session for mutual TLS); not null
   * @return the caller; a {@code null} return rejects the call as invalid credentials
   * @throws AuthenticationException when the credentials are missing, malformed or invalid, or the
   *     identity provider is down
   */
  @Nullable Principal authenticate(Metadata headers, Attributes transportAttributes)
      throws AuthenticationException;
}
