package io.github.grpcmiddleware.auth;

import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.ServerInterceptor;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Configures the server auth interceptor; obtained from {@link ServerAuth#serverBuilder()}.
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs and the interceptor it returns is
 * immutable and thread-safe.
 */
public final class ServerAuthBuilder {
  private @Nullable Authenticator authenticator;
  private @Nullable Authorizer authorizer;
  private MethodSelector exempt = MethodSelector.none();
  private boolean exemptHealth = true;
  private boolean exemptReflection;
  private boolean requireTransportSecurity;
  private boolean allowPlaintextLoopback = true;
  private boolean principalInMdc;

  ServerAuthBuilder() {}

  /**
   * Sets who decides the caller's identity (required). It runs on the server's call executor and
   * may block; see {@link Authenticator}.
   *
   * @param authenticator the authenticator; not null
   * @return this builder
   */
  public ServerAuthBuilder authenticator(Authenticator authenticator) {
    Objects.requireNonNull(authenticator, "authenticator");
    this.authenticator = authenticator;
    return this;
  }

  /**
   * Sets who decides whether an identified caller may call a method; by default every authenticated
   * caller may call every method.
   *
   * @param authorizer the authorizer; not null
   * @return this builder
   */
  public ServerAuthBuilder authorizer(Authorizer authorizer) {
    Objects.requireNonNull(authorizer, "authorizer");
    this.authorizer = authorizer;
    return this;
  }

  /**
   * Adds methods that need no credentials (no principal is set for them). May be called several
   * times; the selections add up.
   *
   * @param methods the exempt methods; not null
   * @return this builder
   */
  public ServerAuthBuilder exempt(MethodSelector methods) {
    Objects.requireNonNull(methods, "methods");
    this.exempt = exempt.or(methods);
    return this;
  }

  /**
   * Sets whether {@value ServerAuth#HEALTH_SERVICE} is exempt (default {@code true}): load
   * balancers and orchestrators probe it without credentials. Only that exact service name is
   * exempt.
   *
   * @param exempt {@code false} to require credentials for health checks too
   * @return this builder
   */
  public ServerAuthBuilder exemptHealth(boolean exempt) {
    this.exemptHealth = exempt;
    return this;
  }

  /**
   * Sets whether the reflection services ({@value ServerAuth#REFLECTION_SERVICE} and {@value
   * ServerAuth#REFLECTION_V1ALPHA_SERVICE}) are exempt (default {@code false}: they describe every
   * method and message of the server).
   *
   * @param exempt {@code true} to let tools such as grpcurl list services without credentials
   * @return this builder
   */
  public ServerAuthBuilder exemptReflection(boolean exempt) {
    this.exemptReflection = exempt;
    return this;
  }

  /**
   * Sets whether calls must arrive over a connection with privacy and integrity (TLS); others are
   * rejected with {@code UNAUTHENTICATED} before the authenticator runs. Default {@code false}.
   * Loopback peers (a service-mesh sidecar on the same host) and non-IP peers (in-process, Unix
   * domain sockets) are accepted unless {@link #allowPlaintextLoopback(boolean)} says otherwise.
   *
   * @param require {@code true} to reject calls without transport security
   * @return this builder
   */
  public ServerAuthBuilder requireTransportSecurity(boolean require) {
    this.requireTransportSecurity = require;
    return this;
  }

  /**
   * Sets whether {@link #requireTransportSecurity(boolean)} lets through plaintext calls from a
   * loopback address or a non-IP (in-process, Unix domain socket) peer. Default {@code true}.
   *
   * @param allow {@code false} to demand TLS even from the same host
   * @return this builder
   */
  public ServerAuthBuilder allowPlaintextLoopback(boolean allow) {
    this.allowPlaintextLoopback = allow;
    return this;
  }

  /**
   * Sets whether the principal's name is put in the SLF4J MDC under {@code principal} around every
   * callback of an authenticated call (and restored afterwards). Default {@code false}.
   *
   * @param enabled {@code true} to log the caller's name with every line of the call
   * @return this builder
   */
  public ServerAuthBuilder principalInMdc(boolean enabled) {
    this.principalInMdc = enabled;
    return this;
  }

  /**
   * Builds the interceptor.
   *
   * @return the interceptor; never null
   * @throws IllegalStateException when no authenticator was set
   */
  public ServerInterceptor build() {
    Authenticator configured = authenticator;
    if (configured == null) {
      throw new IllegalStateException("authenticator: not set (expected: an Authenticator)");
    }
    MethodSelector.Builder exemptions = MethodSelector.builder().include(exempt);
    if (exemptHealth) {
      exemptions.service(ServerAuth.HEALTH_SERVICE);
    }
    if (exemptReflection) {
      exemptions.service(ServerAuth.REFLECTION_SERVICE);
      exemptions.service(ServerAuth.REFLECTION_V1ALPHA_SERVICE);
    }
    return new AuthServerInterceptor(
        configured,
        authorizer,
        exemptions.build(),
        requireTransportSecurity,
        allowPlaintextLoopback,
        principalInMdc);
  }
}
