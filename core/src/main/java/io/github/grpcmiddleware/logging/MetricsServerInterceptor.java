package io.github.grpcmiddleware.logging;

import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/** Records the meters of each server call; the outcome once, when the call ends. */
final class MetricsServerInterceptor implements ServerInterceptor {

  private final MeterCache cache;
  private final MethodSelector excluded;

  MetricsServerInterceptor(MeterCache cache, MethodSelector excluded) {
    this.cache = cache;
    this.excluded = excluded;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    long start = System.nanoTime();
    MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
    if (excluded.matches(method)) {
      return next.startCall(call, headers);
    }
    MethodMeters meters = cache.forMethod(method.getFullMethodName());
    meters.started.increment();
    Call<ReqT, RespT> measured = new Call<>(call, Context.current(), start, meters);
    return measured.listener(next.startCall(measured, headers));
  }

  private static final class Call<ReqT, RespT> extends RecordingServerCall<ReqT, RespT> {
    private final MethodMeters meters;

    Call(ServerCall<ReqT, RespT> delegate, Context context, long start, MethodMeters meters) {
      super(delegate, context, start);
      this.meters = meters;
    }

    @Override
    void messageSent() {
      meters.sent.increment();
    }

    @Override
    void messageReceived() {
      meters.received.increment();
    }

    @Override
    void record(Status status, long durationNanos) {
      meters.callDuration.record(status.getCode(), durationNanos);
    }
  }
}
