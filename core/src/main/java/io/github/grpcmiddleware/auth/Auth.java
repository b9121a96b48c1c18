package io.github.grpcmiddleware.auth;

import io.github.grpcmiddleware.internal.ServerCallScope;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.ServerInterceptor;
import java.security.Principal;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Entry point for auth, server and client: {@link #serverBuilder()} makes the {@code
 * ServerInterceptor} that authenticates every call, {@link #principal()} tells a service who is
 * calling, and {@link #clientBuilder()} makes the {@code CallCredentials} that put a bearer token
 * or an API key on every outgoing call.
 *
 * <pre>{@code
 * ServerInterceptor auth = Auth.serverBuilder()
 *     .authenticator(Authenticators.bearer(token -> verifyJwt(token)))
 *     .authorizer((principal, method) -> mayCall(principal, method))
 *     .build();
 *
 * CallCredentials credentials = Auth.clientBuilder()
 *     .bearerToken(tokenSource)
 *     .refreshAhead(Duration.ofMinutes(1))
 *     .build();
 * UserServiceGrpc.newBlockingStub(channel).withCallCredentials(credentials);
 * }</pre>
 *
 * <p>Server: in the chain, auth sits after error mapping (which re-renders its rejections in the
 * caller's language) and before the limits part and the service. Outcomes follow the gRPC status
 * code guide: {@code UNAUTHENTICATED} when credentials are missing, malformed or invalid (or the
 * connection is not secure enough), {@code PERMISSION_DENIED} only for an identified caller who is
 * not allowed, {@code UNAVAILABLE} when the identity provider is down. A rejected call never
 * reaches the service; its later messages and half-close are dropped. Credentials never appear in
 * logs, the MDC or status descriptions.
 *
 * <p>Client: auth's client side is {@code CallCredentials} (set per stub or on the channel), not an
 * interceptor. Credentials are refused (the call fails with {@code UNAUTHENTICATED} before anything
 * is sent) over a connection without privacy unless plaintext is allowed on the builder, and when
 * the token contains a character that is not visible ASCII. No message ever contains the token.
 * Optionally, {@link #newClientInterceptor()} replays a call once with a new token when the server
 * rejects the cached one, for the calls marked with {@link #RETRY_ON_UNAUTHENTICATED}.
 *
 * <p>This class is thread-safe.
 */
public final class Auth {

  /** The health service, exempt from auth by default. */
  public static final String HEALTH_SERVICE = "grpc.health.v1.Health";

  /** The reflection service (v1), exempt only when asked for. */
  public static final String REFLECTION_SERVICE = "grpc.reflection.v1.ServerReflection";

  /** The reflection service (v1alpha), exempt only when asked for. */
  public static final String REFLECTION_V1ALPHA_SERVICE =
      "grpc.reflection.v1alpha.ServerReflection";

  /**
   * Marks a call as safe to send twice, so that the interceptor from {@link
   * #newClientInterceptor()} may replay it after {@code UNAUTHENTICATED}; default {@code false}.
   * Set it per stub with {@code stub.withOption(Auth.RETRY_ON_UNAUTHENTICATED, true)}, only for
   * calls that are idempotent: a server may reject a call after it has already acted on it (an
   * authenticator that runs after a side effect, a proxy that forwarded the request), and the retry
   * sends the same request again.
   */
  public static final CallOptions.Key<Boolean> RETRY_ON_UNAUTHENTICATED =
      CallOptions.Key.createWithDefault(
          "io.github.grpcmiddleware.auth.retryOnUnauthenticated", false);

  private Auth() {}

  /**
   * Returns a builder for the server interceptor.
   *
   * @return a builder with health exempt, no authorizer and no transport requirement; never null
   */
  public static AuthServerBuilder serverBuilder() {
    return new AuthServerBuilder();
  }

  /**
   * Returns the auth interceptor with default settings (health exempt, no authorizer, no transport
   * requirement) for {@code authenticator}; see {@link AuthServerBuilder}.
   *
   * @param authenticator identifies the caller of each call; not null
   * @return the interceptor; never null
   */
  public static ServerInterceptor newServerInterceptor(Authenticator authenticator) {
    Objects.requireNonNull(authenticator, "authenticator");
    return serverBuilder().authenticator(authenticator).build();
  }

  /**
   * Returns the caller of the call whose {@link Context} is current, as identified by auth.
   *
   * @return the principal, or {@code null} outside an authenticated call (for example in an exempt
   *     method)
   */
  public static @Nullable Principal principal() {
    return principal(Context.current());
  }

  /**
   * Returns the caller held in the given {@link Context}.
   *
   * @param context a Context captured from a call; not null
   * @return the principal, or {@code null} when auth put none there
   */
  public static @Nullable Principal principal(Context context) {
    ServerCallScope scope = ServerCallScope.fromContext(Objects.requireNonNull(context, "context"));
    return scope == null ? null : scope.principal();
  }

  /**
   * Returns a builder for client {@code CallCredentials}; set what they send with one of its {@code
   * bearerToken(...)} or {@code apiKey(...)} methods.
   *
   * @return a new builder; never null
   */
  public static AuthClientBuilder clientBuilder() {
    return new AuthClientBuilder();
  }

  /**
   * Returns auth's one client interceptor: it retries a call once, with a freshly fetched token,
   * when the server answers {@code UNAUTHENTICATED}; off unless installed, and then only for calls
   * marked with {@link #RETRY_ON_UNAUTHENTICATED}. It sends no credentials itself: those come from
   * {@link #clientBuilder()}.
   *
   * <p>A marked call is retried when all of these hold: it sends a single request message (unary or
   * server streaming; client- and bidi-streaming calls are never retried, their messages are not
   * kept); its first attempt ended with {@code UNAUTHENTICATED} before any response header or
   * message arrived; and that attempt carried a token from credentials built by {@link
   * #clientBuilder()} from a {@link TokenSource}, fetched at least 5 seconds earlier (fixed tokens
   * have nothing to refresh; a just-fetched token that is rejected would be rejected again, and a
   * server that rejects every token must not make every call hit the token endpoint). The rejected
   * token is dropped from the credentials' cache and the retry waits for a new fetch, one fetch
   * however many calls were rejected with the same token. There is at most one retry: if it fails
   * too, its status is what the application gets. The application's listener sees one set of
   * headers, messages and one close; cancelling the call or its deadline ends whichever attempt is
   * running (also while the new token is being fetched). The request message is kept in memory
   * until the retry has sent it or the call can no longer be retried.
   *
   * <p>Interceptors between this one and the channel see each attempt as its own call; those
   * outside it see one call. Put it inside the access log and metrics: in {@code ClientChain} as an
   * {@code application(...)} part; with {@code ManagedChannelBuilder.intercept(...)}, which runs
   * the last registered first, register it before them. Works with credentials set per stub ({@code
   * withCallCredentials}) or on the channel.
   *
   * @return the interceptor; never null. This class is thread-safe.
   */
  public static ClientInterceptor newClientInterceptor() {
    return UnauthenticatedRetryInterceptor.INSTANCE;
  }
}
