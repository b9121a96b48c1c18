package io.github.grpcmiddleware.auth;

import io.grpc.Attributes;
import io.grpc.Metadata;
import java.security.Principal;
import java.util.concurrent.CompletionStage;

/**
 * Decides who is calling, possibly later: the asynchronous form of {@link Authenticator}, for an
 * identity provider reached over the network (OAuth 2.0 token introspection, a session store)
 * through a non-blocking client.
 *
 * <p>Auth calls it once per call, before the service sees the call, and waits for the answer
 * without holding a thread, at most {@link
 * AuthServerBuilder#authenticationTimeout(java.time.Duration) the timeout}; meanwhile the call's
 * messages wait. Once the answer came, the call goes on (authorizer, then the next parts and the
 * service) on the {@link AuthServerBuilder#callExecutor(java.util.concurrent.Executor) call
 * executor}, never on the thread that completed the stage; an answer already there when {@code
 * authenticate} returns goes on at once, on the call's thread.
 *
 * <p>Outcomes, as for {@link Authenticator}: a principal; a stage that completes with {@code null}
 * is invalid credentials; {@link AuthenticationException} (thrown at once, or completing the stage)
 * rejects with its status; {@link AuthenticationException#unavailable(Throwable)} and a stage that
 * does not complete within the timeout answer {@code UNAVAILABLE} (the caller may retry), logged
 * once per outage at WARN and at INFO when the provider answers in time again; any other exception
 * rejects with {@code UNAUTHENTICATED} (its class name is logged at WARN, never its message), so
 * wrap your client's connection failures in {@code unavailable(cause)}.
 *
 * <p>Implementations must be thread-safe, must not block in {@code authenticate} (it runs on the
 * call's thread, which may be a transport thread), and must not log or put credentials into
 * exception messages.
 */
@FunctionalInterface
public interface AsyncAuthenticator {

  /**
   * Starts identifying the caller.
   *
   * @param headers the call's request headers; not null; do not modify, and read what you need
   *     before returning (do not keep them for the stage)
   * @param transportAttributes the call's transport attributes (remote address, security level, TLS
   *     session for mutual TLS); not null
   * @return a stage that completes with the caller; never null
   * @throws AuthenticationException when the headers decide it at once (no credentials, malformed
   *     ones: see {@link Authenticators#bearerToken(Metadata)})
   */
  CompletionStage<Principal> authenticate(Metadata headers, Attributes transportAttributes)
      throws AuthenticationException;
}
