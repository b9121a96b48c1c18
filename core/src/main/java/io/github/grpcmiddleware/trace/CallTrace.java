package io.github.grpcmiddleware.trace;

import io.grpc.Context;
import org.jspecify.annotations.Nullable;

/**
 * What the server interceptor knows about one call, kept in its {@link Context}: the ids, what a
 * client needs to continue the trace, and the call's MDC entries. Immutable.
 */
final class CallTrace {
  static final Context.Key<CallTrace> KEY = Context.key("grpcmiddleware-trace");

  final String traceId;
  final String spanId;

  /** Trace flags of the incoming {@code traceparent}; 0 when the trace started here. */
  final int flags;

  /** The incoming {@code tracestate}, kept only with a valid {@code traceparent}. */
  final @Nullable String traceState;

  final MdcEntries mdc;

  CallTrace(
      String traceId,
      String spanId,
      int flags,
      @Nullable String traceState,
      @Nullable String requestId,
      MdcKeys keys) {
    this.traceId = traceId;
    this.spanId = spanId;
    this.flags = flags;
    this.traceState = traceState;
    this.mdc = new MdcEntries(keys, traceId, spanId, requestId);
  }
}
