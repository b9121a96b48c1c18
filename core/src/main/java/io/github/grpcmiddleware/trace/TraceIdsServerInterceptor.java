package io.github.grpcmiddleware.trace;

import io.github.grpcmiddleware.internal.HeaderKeys;
import io.github.grpcmiddleware.internal.PipelineCall;
import io.github.grpcmiddleware.internal.RandomIds;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.internal.ServerPart;
import io.github.grpcmiddleware.internal.StartResult;
import io.github.grpcmiddleware.internal.TraceValues;
import io.grpc.Metadata;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads or starts the trace of each call; see {@link TraceIds#serverBuilder()}. */
final class TraceIdsServerInterceptor extends ServerPart {

  private static final Logger logger = LoggerFactory.getLogger(TraceIdsServerInterceptor.class);

  private final TraceValues.Keys keys;
  private final boolean readRequestId;
  private final int maxRequestIdLength;

  TraceIdsServerInterceptor(
      MdcKeys keys, boolean readRequestId, int maxRequestIdLength, boolean echoTraceId) {
    super(TRACING, ON_START, "tracing", "TraceIds");
    this.keys = new TraceValues.Keys(keys.traceId, keys.spanId, keys.requestId, echoTraceId);
    this.readRequestId = readRequestId;
    this.maxRequestIdLength = maxRequestIdLength;
  }

  @Override
  public StartResult start(ServerCallScope scope, PipelineCall<?, ?> call, Metadata headers) {
    // One owner of the trace id per call: a trace part that finds one already (the otel part in a
    // pipeline outside this one) passes through, so the call keeps one id.
    if (scope.traceId() == null) {
      readTrace(scope, headers);
    }
    return StartResult.CONTINUE;
  }

  private void readTrace(ServerCallScope scope, Metadata headers) {
    String traceId = null;
    int flags = TraceValues.STARTED_HERE;
    String traceState = null;
    if (headers.containsKey(HeaderKeys.TRACEPARENT)) {
      String value = TraceParent.singleValue(headers, HeaderKeys.TRACEPARENT);
      int parentFlags = value == null ? -1 : TraceParent.flags(value);
      if (value != null && parentFlags >= 0) {
        traceId = TraceParent.traceId(value);
        flags = parentFlags;
        traceState = TraceParent.traceState(headers);
      } else if (logger.isDebugEnabled()) {
        // Never log the value itself: it comes from the caller and may forge log lines.
        logger.debug(
            "Ignored an invalid or conflicting traceparent header ({} chars); new trace started",
            value == null ? -1 : value.length());
      }
    }
    if (traceId == null) {
      traceId = RandomIds.traceId();
    }
    String requestId = readRequestId ? readRequestId(headers) : null;
    // The span id only identifies this call's log lines, so it is made only when they get it.
    String spanId = keys.spanIdKey() == null ? null : RandomIds.spanId();
    scope.setTrace(new TraceValues(traceId, spanId, flags, traceState, requestId, false, keys));
  }

  private @Nullable String readRequestId(Metadata headers) {
    if (!headers.containsKey(HeaderKeys.REQUEST_ID)) {
      return null;
    }
    String value = TraceParent.singleValue(headers, HeaderKeys.REQUEST_ID);
    if (value != null && isSafeRequestId(value, maxRequestIdLength)) {
      return value;
    }
    if (logger.isDebugEnabled()) {
      logger.debug(
          "Ignored an unsafe or conflicting x-request-id header ({} chars)",
          value == null ? -1 : value.length());
    }
    return null;
  }

  /** Accepts 1 to {@code maxLength} characters of {@code [A-Za-z0-9._-]}; nothing else. */
  static boolean isSafeRequestId(String value, int maxLength) {
    int length = value.length();
    if (length == 0 || length > maxLength) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
