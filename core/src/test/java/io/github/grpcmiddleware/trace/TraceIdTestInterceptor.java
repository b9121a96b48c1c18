package io.github.grpcmiddleware.trace;

import io.github.grpcmiddleware.internal.ServerCallScope;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Test fixture (not the trace interceptor): puts a fixed trace id into each call's Context, so
 * other packages' tests can run without depending on the trace interceptor's behaviour.
 */
public final class TraceIdTestInterceptor implements ServerInterceptor {

  private final String traceId;

  public TraceIdTestInterceptor(String traceId) {
    this.traceId = traceId;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    ServerCallScope scope = ServerCallScope.open(this, call);
    scope.setTrace(
        traceId, "00f067aa0ba902b7", 0, null, null, "traceId", "spanId", "requestId", false);
    return scope.startNext(this, call, headers, next);
  }
}
