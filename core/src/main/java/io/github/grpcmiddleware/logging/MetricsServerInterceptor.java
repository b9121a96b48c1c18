package io.github.grpcmiddleware.logging;

import io.github.grpcmiddleware.internal.ServerCallObserver;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Records the meters of each server call: {@code started} when it starts, the duration by code and
 * the messages received and sent once, when it ends, from the call's scope. The interceptor is
 * itself the scope's observer, so a call costs it no object of its own.
 */
final class MetricsServerInterceptor implements ServerInterceptor, ServerCallObserver {

  private final MeterCache cache;
  private final MethodSelector excluded;

  MetricsServerInterceptor(MeterCache cache, MethodSelector excluded) {
    this.cache = cache;
    this.excluded = excluded;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
    if (excluded.matches(method)) {
      return next.startCall(call, headers);
    }
    ServerCallScope scope = ServerCallScope.open(this, call);
    if (scope.enter(this)) {
      cache.forMethod(method.getFullMethodName()).started.increment();
      scope.observe(this);
    }
    return scope.startNext(this, call, headers, next);
  }

  @Override
  public void callEnded(ServerCallScope call, Status status) {
    long duration = System.nanoTime() - call.startNanos();
    MethodMeters meters;
    if (call.method() == null) {
      // Never a tag from the caller's method name: one tag for every unknown method.
      meters = cache.forMethod(GrpcMetrics.UNKNOWN_METHOD);
      meters.started.increment();
    } else {
      meters = cache.forMethod(call.fullMethodName());
    }
    int received = call.received();
    if (received > 0) {
      meters.received.increment(received);
    }
    int sent = call.sent();
    if (sent > 0) {
      meters.sent.increment(sent);
    }
    meters.callDuration.record(status.getCode(), duration);
  }

  @Override
  public boolean observesUnknownMethods() {
    return true;
  }
}
