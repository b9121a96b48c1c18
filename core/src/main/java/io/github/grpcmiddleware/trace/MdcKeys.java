package io.github.grpcmiddleware.trace;

import org.jspecify.annotations.Nullable;

/** The MDC key names an interceptor writes; immutable, shared by all its calls. */
final class MdcKeys {
  /** The keys of calls whose span is real (the otel module's): trace id, span id, request id. */
  static final MdcKeys DEFAULT = new MdcKeys("traceId", MdcKeys.DEFAULT_SPAN_ID, "requestId");

  static final String DEFAULT_SPAN_ID = "spanId";

  final String traceId;

  /** The span id's key, or {@code null} when the span id is not put in the MDC. */
  final @Nullable String spanId;

  final String requestId;

  MdcKeys(String traceId, @Nullable String spanId, String requestId) {
    this.traceId = traceId;
    this.spanId = spanId;
    this.requestId = requestId;
  }
}
