package io.github.grpcmiddleware.trace;

import io.grpc.Context;
import org.jspecify.annotations.Nullable;

/**
 * What the server interceptor knows about one call, kept in its {@link Context}: the ids, what a
 * client needs to continue the trace, and (as the {@link MdcEntries} it extends) the call's MDC
 * entries. Immutable.
 */
final class CallTrace extends MdcEntries {
  static final Context.Key<CallTrace> KEY = Context.key("grpcmiddleware-trace");

  /** Trace flags of the incoming {@code traceparent}; 0 when the trace started here. */
  final int flags;

  /** The incoming {@code tracestate}, kept only with a valid {@code traceparent}. */
  final @Nullable String traceState;

  /**
   * Creates the record of one call.
   *
   * @param spanId the call's span id, or {@code null} when {@code keys} puts none in the MDC
   */
  CallTrace(
      String traceId,
      @Nullable String spanId,
      int flags,
      @Nullable String traceState,
      @Nullable String requestId,
      MdcKeys keys) {
    super(keys, traceId, spanId, requestId);
    this.flags = flags;
    this.traceState = traceState;
  }
}
