package io.github.grpcmiddleware.trace;

import io.grpc.Context;
import io.grpc.Contexts;
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
    CallTrace trace = new CallTrace(traceId, "00f067aa0ba902b7", 0, null, null, MdcKeys.DEFAULT);
    Context context = Context.current().withValue(CallTrace.KEY, trace);
    return Contexts.interceptCall(context, call, headers, next);
  }
}
