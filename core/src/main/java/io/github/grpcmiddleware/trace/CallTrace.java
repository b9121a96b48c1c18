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

  /** {@link #flags} of a trace started on this server: the client interceptor chooses them. */
  static final int STARTED_HERE = -1;

  /**
   * Trace flags of the incoming {@code traceparent} (or of the span that owns the call), or {@link
   * #STARTED_HERE} when the trace started here and no tracer decided on sampling.
   */
  final int flags;

  /**
   * Whether {@link #spanId} is a real span's id (the otel module's server span) that an outgoing
   * call names as its parent; otherwise each outgoing call gets a fresh parent id.
   */
  final boolean spanIsParent;

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
    this(traceId, spanId, flags, traceState, requestId, keys, false);
  }

  CallTrace(
      String traceId,
      @Nullable String spanId,
      int flags,
      @Nullable String traceState,
      @Nullable String requestId,
      MdcKeys keys,
      boolean spanIsParent) {
    super(keys, traceId, spanId, requestId);
    this.flags = flags;
    this.traceState = traceState;
    this.spanIsParent = spanIsParent && spanId != null;
  }
}
