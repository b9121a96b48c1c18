package io.github.grpcmiddleware.auth;

import io.grpc.CallOptions;
import io.grpc.ClientInterceptor;
import java.util.Objects;

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
 * <p>Optionally, {@link #newRetryInterceptor()} replays a call once with a new token when the
 * server rejects the cached one with {@code UNAUTHENTICATED}, for the calls marked with {@link
 * #RETRY_ON_UNAUTHENTICATED}.
 *
 * <p>This class is thread-safe.
 */
public final class ClientAuth {

  /**
   * Marks a call as safe to send twice, so that the interceptor from {@link #newRetryInterceptor()}
   * may replay it after {@code UNAUTHENTICATED}; default {@code false}. Set it per stub with {@code
   * stub.withOption(ClientAuth.RETRY_ON_UNAUTHENTICATED, true)}, only for calls that are
   * idempotent: a server may reject a call after it has already acted on it (an authenticator that
   * runs after a side effect, a proxy that forwarded the request), and the retry sends the same
   * request again.
   */
  public static final CallOptions.Key<Boolean> RETRY_ON_UNAUTHENTICATED =
      CallOptions.Key.createWithDefault(
          "io.github.grpcmiddleware.auth.retryOnUnauthenticated", false);

  private ClientAuth() {}

  /**
   * Returns a client interceptor that retries a call once, with a freshly fetched token, when the
   * server answers {@code UNAUTHENTICATED}; off unless installed, and then only for calls marked
   * with {@link #RETRY_ON_UNAUTHENTICATED}.
   *
   * <p>A marked call is retried when all of these hold: it sends a single request message (unary or
   * server streaming; client- and bidi-streaming calls are never retried, their messages are not
   * kept); its first attempt ended with {@code UNAUTHENTICATED} before any response header or
   * message arrived; and that attempt carried a token from credentials built by this class from a
   * {@link TokenSource}, fetched at least 5 seconds earlier (fixed tokens have nothing to refresh;
   * a just-fetched token that is rejected would be rejected again, and a server that rejects every
   * token must not make every call hit the token endpoint). The rejected token is dropped from the
   * credentials' cache and the retry waits for a new fetch, one fetch however many calls were
   * rejected with the same token. There is at most one retry: if it fails too, its status is what
   * the application gets. The application's listener sees one set of headers, messages and one
   * close; cancelling the call or its deadline ends whichever attempt is running (also while the
   * new token is being fetched). The request message is kept in memory until the retry has sent it
   * or the call can no longer be retried.
   *
   * <p>Interceptors between this one and the channel see each attempt as its own call; those
   * outside it see one call. Put it inside the access log and metrics: in {@code ClientChain} as an
   * {@code application(...)} part; with {@code ManagedChannelBuilder.intercept(...)}, which runs
   * the last registered first, register it before them. Works with credentials set per stub ({@code
   * withCallCredentials}) or on the channel.
   *
   * @return the interceptor; never null. This class is thread-safe.
   */
  public static ClientInterceptor newRetryInterceptor() {
    return UnauthenticatedRetryInterceptor.INSTANCE;
  }

  /**
   * Sends {@code authorization: Bearer <token>} with a fixed token.
   *
   * @param token the token, visible ASCII only (checked by {@code build()}); not null
   * @return a builder; never null
   */
  public static ClientAuthBuilder bearerToken(String token) {
    Objects.requireNonNull(token, "token");
    return new ClientAuthBuilder(Authenticators.AUTHORIZATION, "Bearer ", token, null);
  }

  /**
   * Sends {@code authorization: Bearer <token>} with tokens fetched from {@code source}.
   *
   * @param source fetches tokens with their expiry; not null
   * @return a builder; never null
   */
  public static ClientAuthBuilder bearerToken(TokenSource source) {
    Objects.requireNonNull(source, "source");
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
    Objects.requireNonNull(headerName, "headerName");
    Objects.requireNonNull(key, "key");
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
    Objects.requireNonNull(headerName, "headerName");
    Objects.requireNonNull(source, "source");
    return new ClientAuthBuilder(HeaderValues.asciiKey(headerName), "", null, source);
  }
}
