package io.github.grpcmiddleware.auth;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;

/**
 * Hands calls marked with {@link Auth#RETRY_ON_UNAUTHENTICATED} that send one request message
 * (unary, server streaming) to a {@link RetryingClientCall}; every other call passes through
 * untouched.
 */
final class UnauthenticatedRetryInterceptor implements ClientInterceptor {
  static final UnauthenticatedRetryInterceptor INSTANCE = new UnauthenticatedRetryInterceptor();

  private UnauthenticatedRetryInterceptor() {}

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    if (!method.getType().clientSendsOneMessage()
        || !Boolean.TRUE.equals(callOptions.getOption(Auth.RETRY_ON_UNAUTHENTICATED))) {
      return next.newCall(method, callOptions);
    }
    return new RetryingClientCall<>(method, callOptions, next);
  }
}
