package io.github.grpcmiddleware.trace;

import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * The MDC entries of one call, put around each callback and restored afterwards.
 *
 * <p>Callers keep the previous values in local variables, so a callback allocates nothing:
 *
 * <pre>{@code
 * String t = e.previousTrace(), s = e.previousSpan(), r = e.previousRequest();
 * e.put();
 * try { ... } finally { e.restore(t, s, r); }
 * }</pre>
 *
 * <p>Immutable; the MDC it touches is the calling thread's. The client interceptor uses it; on the
 * server the call's one scope puts the MDC entries.
 */
class MdcEntries {
  final MdcKeys keys;
  final String traceId;
  final @Nullable String spanId;
  final @Nullable String requestId;

  /**
   * Creates the entries; {@code spanId} is put only when {@code keys} has a span id key, and must
   * then be null when it has none.
   */
  MdcEntries(MdcKeys keys, String traceId, @Nullable String spanId, @Nullable String requestId) {
    if (spanId != null && keys.spanId == null) {
      throw new IllegalArgumentException("spanId without a span id MDC key");
    }
    this.keys = keys;
    this.traceId = traceId;
    this.spanId = spanId;
    this.requestId = requestId;
  }

  @Nullable String previousTrace() {
    return MDC.get(keys.traceId);
  }

  @Nullable String previousSpan() {
    String key = keys.spanId;
    return spanId == null || key == null ? null : MDC.get(key);
  }

  @Nullable String previousRequest() {
    return requestId == null ? null : MDC.get(keys.requestId);
  }

  void put() {
    MDC.put(keys.traceId, traceId);
    String spanKey = keys.spanId;
    if (spanId != null && spanKey != null) {
      MDC.put(spanKey, spanId);
    }
    if (requestId != null) {
      MDC.put(keys.requestId, requestId);
    }
  }

  /** Puts back the values returned by the {@code previous*} methods before {@link #put()}. */
  void restore(
      @Nullable String previousTrace,
      @Nullable String previousSpan,
      @Nullable String previousRequest) {
    restore(keys.traceId, previousTrace);
    String spanKey = keys.spanId;
    if (spanId != null && spanKey != null) {
      restore(spanKey, previousSpan);
    }
    if (requestId != null) {
      restore(keys.requestId, previousRequest);
    }
  }

  private static void restore(String key, @Nullable String previous) {
    if (previous == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, previous);
    }
  }
}
