package io.github.grpcmiddleware.auth;

/**
 * Entry point for client-side auth: {@code CallCredentials} that put a bearer token or an API key
 * on every call, from a fixed value or from a {@link TokenSource} that is cached and refreshed.
 *
 * <pre>{@code
 * CallCredentials credentials = ClientAuth.bearerToken(tokenSource)
 *     .refreshAhead(Duration.ofMinutes(1))
 *     .build();
 * UserServiceGrpc.newBlockingStub(channel).withCallCredentials(credentials);
 * }</pre>
 *
 * <p>Credentials are refused (the call fails with {@code UNAUTHENTICATED} before anything is sent)
 * over a connection without privacy unless plaintext is allowed on the builder, and when the token
 * contains a character that is not visible ASCII (CR, LF, space, control or non-ASCII characters).
 * No message ever contains the token.
 *
 * <p>This class is thread-safe.
 */
public final class ClientAuth {

  private ClientAuth() {}

  /**
   * Sends {@code authorization: Bearer <token>} with a fixed token.
   *
   * @param token the token, visible ASCII only (checked by {@code build()}); not null
   * @return a builder; never null
   */
  public static ClientAuthBuilder bearerToken(String token) {
    return new ClientAuthBuilder(Authenticators.AUTHORIZATION, "Bearer ", token, null);
  }

  /**
   * Sends {@code authorization: Bearer <token>} with tokens fetched from {@code source}.
   *
   * @param source fetches tokens with their expiry; not null
   * @return a builder; never null
   */
  public static ClientAuthBuilder bearerToken(TokenSource source) {
    return new ClientAuthBuilder(Authenticators.AUTHORIZATION, "Bearer ", null, source);
  }

  /**
   * Sends a fixed API key in the given header.
   *
   * @param headerName the header, for example {@code x-api-key}; a legal ASCII header name not
   *     ending in {@code -bin}; not null
   * @param key the key, visible ASCII only (checked by {@code build()}); not null
   * @return a builder; never null
   * @throws IllegalArgumentException when the header name is illegal
   */
  public static ClientAuthBuilder apiKey(String headerName, String key) {
    return new ClientAuthBuilder(HeaderValues.asciiKey(headerName), "", key, null);
  }

  /**
   * Sends API keys fetched from {@code source} in the given header.
   *
   * @param headerName the header, for example {@code x-api-key}; a legal ASCII header name not
   *     ending in {@code -bin}; not null
   * @param source fetches keys with their expiry; not null
   * @return a builder; never null
   * @throws IllegalArgumentException when the header name is illegal
   */
  public static ClientAuthBuilder apiKey(String headerName, TokenSource source) {
    return new ClientAuthBuilder(HeaderValues.asciiKey(headerName), "", null, source);
  }
}
