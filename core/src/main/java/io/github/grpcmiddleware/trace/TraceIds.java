package io.github.grpcmiddleware.trace;

import io.grpc.Context;
import org.jspecify.annotations.Nullable;

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
   * Returns the trace id held in the given {@link Context}.
   *
   * @param context a Context captured from a call; not null
   * @return the id, or {@code null} when the Context holds none
   */
  public static @Nullable String fromContext(Context context) {
    return TRACE_ID_KEY.get(context);
  }
}
