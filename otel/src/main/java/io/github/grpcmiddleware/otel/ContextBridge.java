package io.github.grpcmiddleware.otel;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;

/**
 * Tells whether OpenTelemetry keeps its Context in io.grpc.Context (the storage bridge of {@code
 * opentelemetry-grpc-1.6}, or the agent's): then the OpenTelemetry Context current while a server
 * call starts is the call's own, and a span found there belongs to the call. Probed once, by making
 * a Context current and seeing whether io.grpc.Context changed with it.
 */
final class ContextBridge {
  private static final ContextKey<Boolean> PROBE = ContextKey.named("grpcmiddleware-probe");
  private static final boolean BRIDGED = probe();

  private ContextBridge() {}

  static boolean bridged() {
    return BRIDGED;
  }

  private static boolean probe() {
    io.grpc.Context before = io.grpc.Context.current();
    try (Scope ignored = Context.root().with(PROBE, Boolean.TRUE).makeCurrent()) {
      return io.grpc.Context.current() != before;
    }
  }
}
