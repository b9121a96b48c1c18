package io.github.grpcmiddleware.auth;

/**
 * Fetches a fresh token for the client, for example from an OAuth 2.0 token endpoint.
 *
 * <p>The credentials built by {@link Auth#clientBuilder()} cache the token and call the source
 * again before it expires (see {@link AuthClientBuilder#refreshAhead}), at most one fetch at a time
 * however many calls wait. The source runs on the library's own daemon threads ({@code
 * grpc-middleware-token-fetch}), or on the executor set with {@link
 * AuthClientBuilder#executor(java.util.concurrent.Executor)}; never on the executor grpc-java hands
 * to {@code CallCredentials}, which under {@code directExecutor()} is the caller's or a transport
 * thread. It may block. With {@link Auth#newClientInterceptor()}, a cached token that the server
 * rejects is fetched again before it expires.
 *
 * <p>A source that throws, returns {@code null}, returns an unusable token or does not answer in
 * time ends the waiting calls with {@code UNAUTHENTICATED}; the next call tries again.
 * Implementations must be thread-safe and must not put the token into exception messages.
 */
@FunctionalInterface
public interface TokenSource {

  /**
   * Fetches a token.
   *
   * @return the token and its expiry; must not be null
   * @throws Exception when no token can be had; the calls waiting for it fail
   */
  AccessToken fetch() throws Exception;
}
