package io.github.grpcmiddleware.auth;

import io.github.grpcmiddleware.internal.ServerCallScope;
import io.grpc.Context;
import io.grpc.ServerInterceptor;
import java.security.Principal;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Entry point for server-side auth: {@link #serverBuilder()} makes the {@code ServerInterceptor}
 * that authenticates every call, and {@link #principal()} tells a service who is calling.
 *
 * <pre>{@code
 * ServerInterceptor auth = ServerAuth.serverBuilder()
 *     .authenticator(Authenticators.bearer(token -> verifyJwt(token)))
 *     .authorizer((principal, method) -> mayCall(principal, method))
 *     .build();
 * }</pre>
 *
 * <p>In the chain, auth sits after error mapping (which re-renders its rejections in the caller's
 * language) and before the limits part and the service. Outcomes follow the gRPC status code guide:
 * {@code UNAUTHENTICATED} when credentials are missing, malformed or invalid (or the connection is
 * not secure enough), {@code PERMISSION_DENIED} only for an identified caller who is not allowed,
 * {@code UNAVAILABLE} when the identity provider is down. A rejected call never reaches the
 * service; its later messages and half-close are dropped. Credentials never appear in logs, the MDC
 * or status descriptions.
 *
 * <p>This class is thread-safe.
 */
public final class ServerAuth {

  /** The health service, exempt from auth by default. */
  public static final String HEALTH_SERVICE = "grpc.health.v1.Health";

  /** The reflection service (v1), exempt only when asked for. */
  public static final String REFLECTION_SERVICE = "grpc.reflection.v1.ServerReflection";

  /** The reflection service (v1alpha), exempt only when asked for. */
  public static final String REFLECTION_V1ALPHA_SERVICE =
      "grpc.reflection.v1alpha.ServerReflection";

  private ServerAuth() {}

  /**
   * Returns a new builder.
   *
   * @return a builder with health exempt, no authorizer and no transport requirement; never null
   */
  public static ServerAuthBuilder serverBuilder() {
    return new ServerAuthBuilder();
  }

  /**
   * Returns the auth interceptor with default settings (health exempt, no authorizer, no transport
   * requirement) for {@code authenticator}; see {@link ServerAuthBuilder}.
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
}
