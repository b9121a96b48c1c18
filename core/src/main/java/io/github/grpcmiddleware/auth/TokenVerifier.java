package io.github.grpcmiddleware.auth;

import java.security.Principal;
import org.jspecify.annotations.Nullable;

/**
 * Checks a token taken from the call's headers, for example a JWT (signature, issuer, audience,
 * expiry) or an opaque token sent to an introspection endpoint.
 *
 * <p>Used with {@link Authenticators#bearer(TokenVerifier)} and {@link
 * Authenticators#apiKey(String, TokenVerifier)}, which find and syntax-check the token first. Runs
 * on the server's call executor and may block. Implementations must be thread-safe and must never
 * log the token or put it into an exception message.
 */
@FunctionalInterface
public interface TokenVerifier {

  /**
   * Verifies a token.
   *
   * @param token the token, visible ASCII without spaces; not null, not empty
   * @return the caller; a {@code null} return rejects the call as invalid credentials
   * @throws AuthenticationException {@link AuthenticationException#invalid()} for a bad token,
   *     {@link AuthenticationException#unavailable(Throwable)} when the verifier's backend is down
   */
  @Nullable Principal verify(String token) throws AuthenticationException;
}
