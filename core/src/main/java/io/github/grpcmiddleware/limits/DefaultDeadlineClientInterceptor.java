package io.github.grpcmiddleware.limits;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.MethodDescriptor;
import java.util.concurrent.TimeUnit;

/** Sets a default deadline on client calls that have none; built by LimitsClientBuilder. */
final class DefaultDeadlineClientInterceptor implements ClientInterceptor {

  private final DeadlineCap[] defaults;

  DefaultDeadlineClientInterceptor(DeadlineCap[] defaults) {
    this.defaults = defaults;
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    if (callOptions.getDeadline() != null || Context.current().getDeadline() != null) {
      return next.newCall(method, callOptions);
    }
    for (DeadlineCap timeout : defaults) {
      if (timeout.methods.matches(method)) {
        return next.newCall(
            method, callOptions.withDeadlineAfter(timeout.nanos, TimeUnit.NANOSECONDS));
      }
    }
    return next.newCall(method, callOptions);
  }
}
