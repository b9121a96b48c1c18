package io.github.grpcmiddleware.metrics;

import io.github.grpcmiddleware.internal.PipelineCall;
import io.github.grpcmiddleware.internal.ServerCallObserver;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.internal.ServerPart;
import io.github.grpcmiddleware.internal.StartResult;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import org.jspecify.annotations.Nullable;

/**
 * Records the meters of each server call: {@code started} when it starts, the duration by code and
 * the messages received and sent once, when it ends, from the call's scope. The interceptor is
 * itself the scope's observer, so a call costs it no object of its own.
 */
final class GrpcMetricsServerInterceptor extends ServerPart implements ServerCallObserver {

  private final MeterCache cache;
  private final MethodSelector excluded;

  GrpcMetricsServerInterceptor(MeterCache cache, MethodSelector excluded) {
    super(METRICS, ON_START, "observability", "GrpcMetrics");
    this.cache = cache;
    this.excluded = excluded;
  }

  @Override
  public boolean appliesTo(ServerCall<?, ?> call) {
    return !excluded.matches(call.getMethodDescriptor());
  }

  @Override
  public StartResult start(ServerCallScope scope, PipelineCall<?, ?> call, Metadata headers) {
    cache.forMethod(call.getMethodDescriptor().getFullMethodName()).started.increment();
    scope.observe(this);
    return StartResult.CONTINUE;
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
  public @Nullable ServerCallObserver unknownMethodObserver() {
    return this;
  }
}
