package io.github.grpcmiddleware.otel;

import io.github.grpcmiddleware.internal.ThreadContexts;
import io.opentelemetry.context.Context;

/**
 * Lets core's {@code TraceIds.wrap} carry the OpenTelemetry Context to the task's thread: without a
 * bridge between {@code io.grpc.Context} and OpenTelemetry's (the grpc-1.6 library's storage
 * override), the io.grpc.Context that wrap carries does not hold the span. Registered by {@link
 * GrpcTracing}.
 */
enum OpenTelemetryContextCarrier implements ThreadContexts.Carrier {
  INSTANCE;

  @Override
  public Runnable wrap(Runnable task) {
    Context current = Context.current();
    return current == Context.root() ? task : current.wrap(task);
  }
}
