package io.github.grpcmiddleware.auth;

import io.github.grpcmiddleware.internal.DependencyWaits;
import io.github.grpcmiddleware.internal.PipelineCall;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.internal.StartResult;
import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.security.Principal;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start of auth with an {@link AsyncAuthenticator}: asks it, waits at most the timeout without
 * holding a thread ({@link DependencyWaits}: one WARN per outage of the identity provider), and has
 * auth go on with the answer (authorizer, principal) on the call executor, inside the call's
 * bracket; at once, on the call's thread, when the answer was there already.
 *
 * <p>This class is thread-safe.
 */
final class AsyncAuthentication implements DependencyWaits.Policy<Principal> {
  private static final Logger logger = LoggerFactory.getLogger(AuthServerInterceptor.class);

  /** The decision of a call the identity provider failed or did not answer in time. */
  static final Principal UNAVAILABLE = new NamedPrincipal("<identity provider unavailable>");

  /** The answer {@code null}: invalid credentials, as from a synchronous authenticator. */
  private static final Principal NO_ONE = new NamedPrincipal("<no principal>");

  private final AsyncAuthenticator authenticator;
  private final Executor executor;
  private final DependencyWaits<Principal> waits;

  AsyncAuthentication(
      AsyncAuthenticator authenticator,
      long timeoutNanos,
      Executor executor,
      ScheduledExecutorService timer) {
    this.authenticator = authenticator;
    this.executor = executor;
    // Only the failure's class name is logged: an identity provider's errors may quote the token.
    this.waits =
        new DependencyWaits<>(
            this,
            "auth: the identity provider (AsyncAuthenticator)",
            "get UNAVAILABLE",
            "got UNAVAILABLE",
            timeoutNanos,
            timer,
            logger,
            false);
  }

  /** Whether the identity provider is in an outage now; for tests. */
  boolean isDown() {
    return waits.isDown();
  }

  StartResult start(
      AuthServerInterceptor part,
      ServerCallScope scope,
      PipelineCall<?, ?> call,
      Metadata headers,
      Attributes attributes) {
    MethodDescriptor<?, ?> method = call.getMethodDescriptor();
    CompletableFuture<Principal> answer;
    try {
      CompletionStage<Principal> asked = authenticator.authenticate(headers, attributes);
      if (asked == null) {
        AuthServerInterceptor.logUnexpected(
            "authenticator", new NullPointerException("null stage"), method);
        return part.reject(call, AuthRejection.INVALID);
      }
      answer = waits.await(asked, method);
    } catch (AuthenticationException e) {
      if (e.rejection() != AuthRejection.UNAVAILABLE) {
        return part.reject(call, e);
      }
      answer = waits.failedNow(method, e);
    } catch (RuntimeException e) {
      AuthServerInterceptor.logUnexpected("authenticator", e, method);
      return part.reject(call, AuthRejection.INVALID);
    }
    if (answer.isDone()) {
      return finish(part, scope, call, answer);
    }
    StartResult.Pending pending = StartResult.later(executor);
    CompletableFuture<Principal> decided = answer;
    answer.whenComplete(
        (principal, error) ->
            pending.proceed((resumed, same, headersAgain) -> finish(part, resumed, same, decided)));
    return pending;
  }

  /** Goes on with the answer, which is complete. */
  private static StartResult finish(
      AuthServerInterceptor part,
      ServerCallScope scope,
      PipelineCall<?, ?> call,
      CompletableFuture<Principal> answer) {
    Principal principal;
    try {
      principal = answer.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof AuthenticationException) {
        return part.reject(call, (AuthenticationException) cause);
      }
      AuthServerInterceptor.logUnexpected(
          "authenticator", cause != null ? cause : e, call.getMethodDescriptor());
      return part.reject(call, AuthRejection.INVALID);
    }
    if (principal == UNAVAILABLE) {
      return part.reject(call, AuthRejection.UNAVAILABLE); // logged once per outage
    }
    return part.authorize(scope, call, principal == NO_ONE ? null : principal);
  }

  @Override
  public Principal failed(MethodDescriptor<?, ?> method) {
    return UNAVAILABLE;
  }

  @Override
  public Principal nullAnswer() {
    return NO_ONE;
  }

  /** Every exceptional answer but "unavailable" is the provider's answer, not its failure. */
  @Override
  public boolean isAnswer(Throwable error) {
    return !(error instanceof AuthenticationException)
        || ((AuthenticationException) error).rejection() != AuthRejection.UNAVAILABLE;
  }
}
