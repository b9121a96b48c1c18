package io.github.grpcmiddleware.trace;

import io.grpc.Context;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * Entry point for trace ids: the accessor for the current call's id, and (soon) the server and
 * client interceptors that read, generate, propagate and log it.
 *
 * <p>A trace id is always a W3C trace id: 32 lowercase hexadecimal characters, not all zeros.
 *
 * <p>This class is thread-safe.
 */
public final class TraceIds {

  /** The trace id of the call whose {@link Context} is current; set by the server interceptor. */
  static final Context.Key<String> TRACE_ID_KEY = Context.key("grpcmiddleware-trace-id");

  private TraceIds() {}

  /**
   * Returns the trace id of the call that the current {@link Context} belongs to.
   *
   * @return the id, or {@code null} when no trace interceptor put one in the current Context
   */
  public static @Nullable String current() {
    return TRACE_ID_KEY.get();
  }

  /**
   * Puts the MDC entries of the call whose {@link Context} is given (its trace id under {@code
   * traceId}) on the current thread, for code that logs outside a listener callback, such as in
   * {@code ServerCall.close}.
   *
   * @param callContext a Context captured from a call; not null
   * @return a scope whose {@code close()} restores the previous entries; never null (a no-op scope
   *     when the Context holds no trace id)
   */
  public static MdcScope mdcScope(Context callContext) {
    String traceId = TRACE_ID_KEY.get(callContext);
    if (traceId == null) {
      return NOOP_SCOPE;
    }
    String previous = MDC.get("traceId");
    MDC.put("traceId", traceId);
    return () -> {
      if (previous == null) {
        MDC.remove("traceId");
      } else {
        MDC.put("traceId", previous);
      }
    };
  }

  private static final MdcScope NOOP_SCOPE = () -> {};

  /**
   * Returns the trace id held in the given {@link Context}.
   *
   * @param context a Context captured from a call; not null
   * @return the id, or {@code null} when the Context holds none
   */
  public static @Nullable String fromContext(Context context) {
    return TRACE_ID_KEY.get(context);
  }
}
