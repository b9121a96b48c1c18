package io.github.grpcmiddleware.logging;

import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;

/**
 * Records streams that never became a call (grpc-java answered them before any interceptor, for
 * example UNIMPLEMENTED for an unknown method) under one method tag, so callers cannot create tags.
 */
final class UnknownMethodTracerFactory extends ServerStreamTracer.Factory {

  private final MethodMeters unknown;

  UnknownMethodTracerFactory(MethodMeters unknown) {
    this.unknown = unknown;
  }

  @Override
  public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
    return new Tracer(unknown, System.nanoTime());
  }

  private static final class Tracer extends ServerStreamTracer {
    private final MethodMeters unknown;
    private final long start;
    private volatile boolean callStarted;

    Tracer(MethodMeters unknown, long start) {
      this.unknown = unknown;
      this.start = start;
    }

    @Override
    public void serverCallStarted(ServerCallInfo<?, ?> callInfo) {
      callStarted = true;
    }

    @Override
    public void streamClosed(Status status) {
      if (!callStarted) {
        unknown.started.increment();
        unknown.callDuration.record(status.getCode(), System.nanoTime() - start);
      }
    }
  }
}
