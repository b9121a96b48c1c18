package io.github.grpcmiddleware.trace;

import io.github.grpcmiddleware.chain.CallInfo;
import io.github.grpcmiddleware.chain.InternalCallInfo;
import io.grpc.Context;
import org.jspecify.annotations.Nullable;

/**
 * What the server interceptor knows about one call, kept in its {@link Context}: the ids, what a
 * client needs to continue the trace, and (as the {@link MdcEntries} it extends) the call's MDC
 * entries. Immutable.
 */
final class CallTrace extends MdcEntries {
  static final Context.Key<CallTrace> KEY = Context.key("grpcmiddleware-trace");

  /** Returns the record of the current Context's call, or null; see {@link #from(Context)}. */
  static @Nullable CallTrace current() {
    return from(Context.current());
  }

  /**
   * Returns the record of the call {@code context} belongs to: its own Context value, else the one
   * kept in the chain's {@link CallInfo}; null when neither holds one.
   */
  static @Nullable CallTrace from(Context context) {
    CallTrace trace = KEY.get(context);
    if (trace != null) {
      return trace;
    }
    Object kept = InternalCallInfo.trace(CallInfo.fromContext(context));
    return kept instanceof CallTrace ? (CallTrace) kept : null;
  }

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
