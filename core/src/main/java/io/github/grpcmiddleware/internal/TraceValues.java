package io.github.grpcmiddleware.internal;

import org.jspecify.annotations.Nullable;

/**
 * This class is internal and is hence not for public use. Its APIs are unstable and can change at
 * any time.
 *
 * <p>The trace of one server call as the part that owns it decided (core's W3C reader, or the otel
 * module's span): the ids, the flags and {@code tracestate} to continue downstream, and the MDC
 * keys and echo setting of that part. Immutable.
 */
public final class TraceValues {

  /**
   * {@link #flags} of a trace that started on this server with no tracer deciding on sampling:
   * core's client interceptor then chooses the flags it sends.
   */
  public static final int STARTED_HERE = -1;

  final String traceId;
  final @Nullable String spanId;
  final int flags;
  final @Nullable String traceState;
  final @Nullable String requestId;
  final boolean spanIsParent;
  final Keys keys;

  /**
   * Creates the trace of a call.
   *
   * @param traceId the trace id (32 lowercase hex); not null
   * @param spanId the call's span id, or null
   * @param flags the trace flags, or {@link #STARTED_HERE}
   * @param traceState the {@code tracestate} to continue, or null
   * @param requestId the sanitised {@code x-request-id}, or null
   * @param spanIsParent whether {@code spanId} is a real span (the otel module's) that outgoing
   *     calls name as their parent
   * @param keys the MDC keys and echo setting of the part; not null
   */
  public TraceValues(
      String traceId,
      @Nullable String spanId,
      int flags,
      @Nullable String traceState,
      @Nullable String requestId,
      boolean spanIsParent,
      Keys keys) {
    this.traceId = traceId;
    this.spanId = spanId;
    this.flags = flags;
    this.traceState = traceState;
    this.requestId = requestId;
    this.spanIsParent = spanIsParent && spanId != null;
    this.keys = keys;
  }

  /**
   * The MDC keys a trace part writes and whether responses carry {@code x-trace-id}; one instance
   * per part, shared by all its calls. Immutable.
   */
  public static final class Keys {
    final String traceId;
    final @Nullable String spanId;
    final String requestId;
    final boolean echo;

    /**
     * Creates the keys.
     *
     * @param traceId the trace id's MDC key; not null
     * @param spanId the span id's MDC key, or null to leave the span id out of the MDC
     * @param requestId the request id's MDC key; not null
     * @param echo whether responses carry {@code x-trace-id}
     */
    public Keys(String traceId, @Nullable String spanId, String requestId, boolean echo) {
      this.traceId = traceId;
      this.spanId = spanId;
      this.requestId = requestId;
      this.echo = echo;
    }

    /** Returns the span id's MDC key, or null when the span id is not put in the MDC. */
    public @Nullable String spanIdKey() {
      return spanId;
    }
  }
}
