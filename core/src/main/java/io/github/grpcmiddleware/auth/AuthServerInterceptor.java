package io.github.grpcmiddleware.auth;

import io.github.grpcmiddleware.internal.PipelineCall;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.internal.ServerPart;
import io.github.grpcmiddleware.internal.StartResult;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import java.security.Principal;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates and authorizes each call before the service sees it; built by Auth. An {@link
 * AsyncAuthenticator} makes the call wait for its answer ({@link AsyncAuthentication}).
 */
final class AuthServerInterceptor extends ServerPart {
  private static final Logger logger = LoggerFactory.getLogger(AuthServerInterceptor.class);

  /** The MDC key of the principal's name, when {@code principalInMdc} is on. */
  static final String PRINCIPAL_MDC_KEY = "principal";

  private final @Nullable Authenticator authenticator;
  private final @Nullable AsyncAuthentication async;
  private final @Nullable Authorizer authorizer;
  private final MethodSelector exempt;
  private final boolean requireTransportSecurity;
  private final boolean allowPlaintextLoopback;
  private final boolean principalInMdc;

  AuthServerInterceptor(
      @Nullable Authenticator authenticator,
      @Nullable AsyncAuthentication async,
      @Nullable Authorizer authorizer,
      MethodSelector exempt,
      boolean requireTransportSecurity,
      boolean allowPlaintextLoopback,
      boolean principalInMdc) {
    super(AUTH, ON_START, "auth", "Auth");
    this.authenticator = authenticator;
    this.async = async;
    this.authorizer = authorizer;
    this.exempt = exempt;
    this.requireTransportSecurity = requireTransportSecurity;
    this.allowPlaintextLoopback = allowPlaintextLoopback;
    this.principalInMdc = principalInMdc;
  }

  @Override
  public boolean appliesTo(ServerCall<?, ?> call) {
    return !exempt.matches(call.getMethodDescriptor());
  }

  @Override
  public StartResult start(ServerCallScope scope, PipelineCall<?, ?> call, Metadata headers) {
    MethodDescriptor<?, ?> method = call.getMethodDescriptor();
    Attributes attributes = call.getAttributes();
    if (requireTransportSecurity && !isSecureEnough(call.getSecurityLevel(), attributes)) {
      return reject(call, AuthRejection.INSECURE);
    }
    Authenticator deciding = authenticator;
    if (deciding == null) { // an AsyncAuthenticator: the builder sets exactly one of the two
      return Objects.requireNonNull(async, "async").start(this, scope, call, headers, attributes);
    }
    Principal principal;
    try {
      principal = deciding.authenticate(headers, attributes);
    } catch (AuthenticationException e) {
      return reject(call, e);
    } catch (Exception e) {
      logUnexpected("authenticator", e, method);
      return reject(call, AuthRejection.INVALID);
    }
    return authorize(scope, call, principal);
  }

  /** Authorizes an authenticated caller and registers it in the call's record. */
  StartResult authorize(
      ServerCallScope scope, PipelineCall<?, ?> call, @Nullable Principal principal) {
    if (principal == null) {
      return reject(call, AuthRejection.INVALID);
    }
    if (authorizer != null) {
      MethodDescriptor<?, ?> method = call.getMethodDescriptor();
      boolean allowed;
      try {
        allowed = authorizer.isAllowed(principal, method);
      } catch (AuthenticationException e) {
        if (e.rejection() == AuthRejection.UNAVAILABLE) {
          return reject(call, e);
        }
        allowed = false;
      } catch (Exception e) {
        logUnexpected("authorizer", e, method);
        allowed = false;
      }
      if (!allowed) {
        return reject(call, AuthRejection.DENIED);
      }
    }
    // The call's record carries the principal (and its MDC entry) for every part and the service.
    scope.setPrincipal(principal, principalInMdc ? PRINCIPAL_MDC_KEY : null);
    return StartResult.CONTINUE;
  }

  private boolean isSecureEnough(SecurityLevel level, Attributes attributes) {
    if (level == SecurityLevel.PRIVACY_AND_INTEGRITY) {
      return true;
    }
    if (!allowPlaintextLoopback) {
      return false;
    }
    return LocalPeers.isLocal(attributes.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
  }

  StartResult reject(PipelineCall<?, ?> call, AuthenticationException e) {
    AuthRejection rejection = e.rejection();
    Throwable cause = e.getCause();
    if (rejection == AuthRejection.UNAVAILABLE && logger.isWarnEnabled()) {
      logger.warn(
          "identity provider unavailable for {} ({}); call answered UNAVAILABLE",
          call.getMethodDescriptor().getFullMethodName(),
          cause == null ? "no cause given" : cause.getClass().getName());
    }
    return reject(call, rejection);
  }

  StartResult reject(PipelineCall<?, ?> call, AuthRejection rejection) {
    if (logger.isDebugEnabled()) {
      logger.debug(
          "auth rejected {}: {}", call.getMethodDescriptor().getFullMethodName(), rejection);
    }
    return call.reject(this, rejection.status(), new Metadata());
  }

  static void logUnexpected(String who, Throwable e, MethodDescriptor<?, ?> method) {
    // Only the class name: exception messages of token parsers often quote the token.
    logger.warn(
        "{} threw {} for {}; call rejected",
        who,
        e.getClass().getName(),
        method.getFullMethodName());
  }
}
