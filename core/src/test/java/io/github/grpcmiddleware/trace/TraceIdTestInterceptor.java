package io.github.grpcmiddleware.trace;

import io.github.grpcmiddleware.internal.PipelineCall;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.internal.ServerPart;
import io.github.grpcmiddleware.internal.StartResult;
import io.github.grpcmiddleware.internal.TraceValues;
import io.grpc.Metadata;

/**
 * Test fixture (not the trace interceptor): a tracing part that gives each call a fixed trace id,
 * so other packages' tests can run without depending on the trace interceptor's behaviour.
 */
public final class TraceIdTestInterceptor extends ServerPart {

  private static final TraceValues.Keys KEYS =
      new TraceValues.Keys("traceId", "spanId", "requestId", false);

  private final String traceId;

  public TraceIdTestInterceptor(String traceId) {
    super(TRACING, ON_START, "tracing", "TraceIdTestInterceptor");
    this.traceId = traceId;
  }

  @Override
  public StartResult start(ServerCallScope scope, PipelineCall<?, ?> call, Metadata headers) {
    scope.setTrace(new TraceValues(traceId, "00f067aa0ba902b7", 0, null, null, false, KEYS));
    return StartResult.CONTINUE;
  }
}
