package io.github.grpcmiddleware.metrics;

import io.github.grpcmiddleware.internal.RecordingClientCall;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientStreamTracer;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;

/**
 * Records the meters of each client call; with A66 names also each attempt, through a stream tracer
 * added to the call's options.
 */
final class GrpcMetricsClientInterceptor implements ClientInterceptor {

  private final MeterCache cache;
  private final MethodSelector excluded;

  GrpcMetricsClientInterceptor(MeterCache cache, MethodSelector excluded) {
    this.cache = cache;
    this.excluded = excluded;
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    long start = System.nanoTime();
    if (excluded.matches(method)) {
      return next.newCall(method, callOptions);
    }
    MethodMeters meters = cache.forMethod(method.getFullMethodName());
    CallOptions options = callOptions;
    ClientStreamTracer.Factory attempts = meters.attemptTracers;
    if (attempts != null) {
      options = callOptions.withStreamTracerFactory(attempts);
    } else {
      meters.started.increment();
    }
    return new Call<>(next.newCall(method, options), start, meters);
  }

  private static final class Call<ReqT, RespT> extends RecordingClientCall<ReqT, RespT> {
    private final MethodMeters meters;

    Call(ClientCall<ReqT, RespT> delegate, long start, MethodMeters meters) {
      super(delegate, start);
      this.meters = meters;
    }

    @Override
    protected void messageSent() {
      meters.sent.increment();
    }

    @Override
    protected void messageReceived() {
      meters.received.increment();
    }

    @Override
    protected void record(Status status, long durationNanos) {
      meters.callDuration.record(status.getCode(), durationNanos);
    }
  }

  /**
   * Counts and times each attempt (A66 {@code grpc.client.attempt.*}); one per method, shared by
   * its calls.
   */
  static final class AttemptTracerFactory extends ClientStreamTracer.Factory {
    private final Counter started;
    private final CodeTimers attemptDuration;

    AttemptTracerFactory(Counter started, CodeTimers attemptDuration) {
      this.started = started;
      this.attemptDuration = attemptDuration;
    }

    @Override
    public ClientStreamTracer newClientStreamTracer(
        ClientStreamTracer.StreamInfo info, Metadata headers) {
      started.increment();
      long start = System.nanoTime();
      return new ClientStreamTracer() {
        @Override
        public void streamClosed(Status status) {
          attemptDuration.record(status.getCode(), System.nanoTime() - start);
        }
      };
    }
  }
}
