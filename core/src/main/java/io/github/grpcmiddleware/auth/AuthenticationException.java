package io.github.grpcmiddleware.auth;

import org.jspecify.annotations.Nullable;

/**
 * Thrown by an {@link Authenticator}, {@link TokenVerifier} or {@link Authorizer} to reject a call
 * for a known reason; auth turns it into the matching status.
 *
 * <p>The messages are fixed texts chosen by the factory method, so a credential can never end up in
 * a status description or a log line through this exception. Use {@link #unavailable(Throwable)}
 * when the identity provider cannot be reached: the caller then gets {@code UNAVAILABLE} and may
 * retry, instead of {@code UNAUTHENTICATED}.
 */
public final class AuthenticationException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient AuthRejection rejection;

  private AuthenticationException(AuthRejection rejection, @Nullable Throwable cause) {
    super(rejection.englishText(), cause, false, cause != null);
    this.rejection = rejection;
  }

  /**
   * The call carries no credentials of the expected kind: {@code UNAUTHENTICATED}.
   *
   * @return a new exception; never null
   */
  public static AuthenticationException missing() {
    return new AuthenticationException(AuthRejection.MISSING, null);
  }

  /**
   * The credentials are present but not in the expected form: {@code UNAUTHENTICATED}.
   *
   * @return a new exception; never null
   */
  public static AuthenticationException malformed() {
    return new AuthenticationException(AuthRejection.MALFORMED, null);
  }

  /**
   * The credentials are well formed but not valid (unknown, expired, bad signature): {@code
   * UNAUTHENTICATED}.
   *
   * @return a new exception; never null
   */
  public static AuthenticationException invalid() {
    return new AuthenticationException(AuthRejection.INVALID, null);
  }

  /**
   * The identity provider cannot be reached, so nothing can be decided now: {@code UNAVAILABLE}.
   *
   * @param cause what went wrong, kept for server-side inspection only (its class name is logged,
   *     never its message); may be null
   * @return a new exception; never null
   */
  public static AuthenticationException unavailable(@Nullable Throwable cause) {
    return new AuthenticationException(AuthRejection.UNAVAILABLE, cause);
  }

  AuthRejection rejection() {
    return rejection;
  }
}
