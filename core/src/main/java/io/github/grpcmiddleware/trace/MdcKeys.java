package io.github.grpcmiddleware.trace;

/** The MDC key names an interceptor writes; immutable, shared by all its calls. */
final class MdcKeys {
  static final MdcKeys DEFAULT = new MdcKeys("traceId", "spanId", "requestId");

  final String traceId;
  final String spanId;
  final String requestId;

  MdcKeys(String traceId, String spanId, String requestId) {
    this.traceId = traceId;
    this.spanId = spanId;
    this.requestId = requestId;
  }
}
