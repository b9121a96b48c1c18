package io.github.grpcmiddleware.auth;

import io.grpc.MethodDescriptor;
import java.security.Principal;

/**
 * Decides whether an identified caller may call a method.
 *
 * <p>Runs right after the {@link Authenticator}, on the same call executor thread. A {@code false}
 * answer closes the call with {@code PERMISSION_DENIED}. Throwing {@link
 * AuthenticationException#unavailable(Throwable)} answers {@code UNAVAILABLE}; any other exception
 * denies the call (fail closed) and its class name is logged at WARN.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Authorizer {

  /**
   * Tells whether the caller may call the method.
   *
   * @param principal the caller the authenticator identified; not null
   * @param method the method being called; not null
   * @return {@code true} to let the call through
   * @throws AuthenticationException to answer {@code UNAVAILABLE} when a policy source is down
   */
  boolean isAllowed(Principal principal, MethodDescriptor<?, ?> method)
      throws AuthenticationException;
}
