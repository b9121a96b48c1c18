package io.github.grpcmiddleware.auth;

import io.github.grpcmiddleware.internal.DecisionThreads;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.selector.MethodSelectorBuilder;
import io.grpc.ServerInterceptor;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Configures the server auth interceptor; obtained from {@link Auth#serverBuilder()}.
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs and the interceptor it returns is
 * immutable and thread-safe.
 */
public final class AuthServerBuilder {

  /** Default of {@link #authenticationTimeout(Duration)}: 1 second. */
  public static final Duration DEFAULT_AUTHENTICATION_TIMEOUT = Duration.ofSeconds(1);

  private @Nullable Authenticator authenticator;
  private @Nullable AsyncAuthenticator asyncAuthenticator;
  private @Nullable Duration authenticationTimeout;
  private @Nullable Executor callExecutor;
  private @Nullable Authorizer authorizer;
  private MethodSelector exempt = MethodSelector.none();
  private boolean exemptHealth = true;
  private boolean exemptReflection;
  private boolean requireTransportSecurity;
  private boolean allowPlaintextLoopback = true;
  private boolean principalInMdc;

  AuthServerBuilder() {}

  /**
   * Sets who decides the caller's identity (this or an {@link AsyncAuthenticator} is required; the
   * one set last counts). It runs on the server's call executor and may block; see {@link
   * Authenticator}.
   *
   * @param authenticator the authenticator; not null
   * @return this builder
   */
  public AuthServerBuilder authenticator(Authenticator authenticator) {
    Objects.requireNonNull(authenticator, "authenticator");
    this.authenticator = authenticator;
    this.asyncAuthenticator = null;
    return this;
  }

  /**
   * Sets who decides the caller's identity when that means asking an identity provider over the
   * network without blocking (this or an {@link Authenticator} is required; the one set last
   * counts). The call waits for its answer without holding a thread, at most {@link
   * #authenticationTimeout(Duration)}, then goes on on the {@link #callExecutor(Executor) call
   * executor}; see {@link AsyncAuthenticator}.
   *
   * <p>Named apart from {@link #authenticator(Authenticator)} so that a lambda picks one.
   *
   * @param authenticator the authenticator; not null
   * @return this builder
   */
  public AuthServerBuilder asyncAuthenticator(AsyncAuthenticator authenticator) {
    Objects.requireNonNull(authenticator, "authenticator");
    this.asyncAuthenticator = authenticator;
    this.authenticator = null;
    return this;
  }

  /**
   * Sets the longest a call waits for an {@link AsyncAuthenticator}'s answer (default {@link
   * #DEFAULT_AUTHENTICATION_TIMEOUT}); a call whose answer comes later gets {@code UNAVAILABLE},
   * and the identity provider counts as down until it answers in time again (one WARN, then one
   * INFO). Only for an {@code AsyncAuthenticator}: a synchronous one cannot be timed out.
   *
   * @param timeout positive, at most one hour; not null
   * @return this builder
   * @throws IllegalArgumentException when {@code timeout} is not positive or longer than an hour
   */
  public AuthServerBuilder authenticationTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0 and <= PT1H)");
    }
    this.authenticationTimeout = timeout;
    return this;
  }

  /**
   * Sets where a call goes on once an {@link AsyncAuthenticator} answered: the authorizer, the
   * parts after auth and the service's handler (for a streaming method; a unary one runs when its
   * request arrives) run there. Pass the server's own executor ({@code
   * ServerBuilder.executor(...)}) so that the service runs where it always does. By default a small
   * pool owned by the library ({@code max(2, available processors)} daemon threads, ended after 30
   * s idle), so that the service never runs on the identity provider client's thread; a service
   * that blocks holds one of those few threads. An answer already there when the authenticator
   * returned needs no executor. Used only with an {@code AsyncAuthenticator}.
   *
   * @param executor the executor; not null; never shut down by the library
   * @return this builder
   */
  public AuthServerBuilder callExecutor(Executor executor) {
    this.callExecutor = Objects.requireNonNull(executor, "executor");
    return this;
  }

  /**
   * Sets who decides whether an identified caller may call a method; by default every authenticated
   * caller may call every method.
   *
   * @param authorizer the authorizer; not null
   * @return this builder
   */
  public AuthServerBuilder authorizer(Authorizer authorizer) {
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
  public AuthServerBuilder exempt(MethodSelector methods) {
    Objects.requireNonNull(methods, "methods");
    this.exempt = exempt.or(methods);
    return this;
  }

  /**
   * Sets whether {@value Auth#HEALTH_SERVICE} is exempt (default {@code true}): load balancers and
   * orchestrators probe it without credentials. Only that exact service name is exempt.
   *
   * @param exempt {@code false} to require credentials for health checks too
   * @return this builder
   */
  public AuthServerBuilder exemptHealth(boolean exempt) {
    this.exemptHealth = exempt;
    return this;
  }

  /**
   * Sets whether the reflection services ({@value Auth#REFLECTION_SERVICE} and {@value
   * Auth#REFLECTION_V1ALPHA_SERVICE}) are exempt (default {@code false}: they describe every method
   * and message of the server).
   *
   * @param exempt {@code true} to let tools such as grpcurl list services without credentials
   * @return this builder
   */
  public AuthServerBuilder exemptReflection(boolean exempt) {
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
  public AuthServerBuilder requireTransportSecurity(boolean require) {
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
  public AuthServerBuilder allowPlaintextLoopback(boolean allow) {
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
  public AuthServerBuilder principalInMdc(boolean enabled) {
    this.principalInMdc = enabled;
    return this;
  }

  /**
   * Builds the interceptor.
   *
   * @return the interceptor; never null
   * @throws IllegalStateException when no authenticator was set, or a timeout for a synchronous one
   */
  public ServerInterceptor build() {
    Authenticator configured = authenticator;
    AsyncAuthenticator asking = asyncAuthenticator;
    if (configured == null && asking == null) {
      throw new IllegalStateException(
          "authenticator: not set (expected: an Authenticator or an AsyncAuthenticator)");
    }
    Duration timeout = authenticationTimeout;
    if (configured != null && timeout != null) {
      throw new IllegalStateException(
          "authenticationTimeout: "
              + timeout
              + " (expected: an AsyncAuthenticator; a synchronous Authenticator blocks its thread"
              + " and cannot be timed out)");
    }
    MethodSelectorBuilder exemptions = MethodSelector.builder().include(exempt);
    if (exemptHealth) {
      exemptions.service(Auth.HEALTH_SERVICE);
    }
    if (exemptReflection) {
      exemptions.service(Auth.REFLECTION_SERVICE);
      exemptions.service(Auth.REFLECTION_V1ALPHA_SERVICE);
    }
    AsyncAuthentication async = null;
    if (asking != null) {
      Executor executor = callExecutor;
      async =
          new AsyncAuthentication(
              asking,
              (timeout != null ? timeout : DEFAULT_AUTHENTICATION_TIMEOUT).toNanos(),
              executor != null ? executor : DecisionThreads.callExecutor(),
              DecisionThreads.timer());
    }
    return new AuthServerInterceptor(
        configured,
        async,
        authorizer,
        exemptions.build(),
        requireTransportSecurity,
        allowPlaintextLoopback,
        principalInMdc);
  }
}
