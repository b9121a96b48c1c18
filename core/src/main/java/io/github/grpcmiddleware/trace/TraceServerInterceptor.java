package io.github.grpcmiddleware.trace;

import io.github.grpcmiddleware.chain.CallInfo;
import io.github.grpcmiddleware.chain.InternalCallInfo;
import io.grpc.Context;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads or starts the trace of each call; see {@link TraceIds#serverBuilder()}. */
final class TraceServerInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> X_TRACE_ID =
      Metadata.Key.of("x-trace-id", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> X_REQUEST_ID =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);

  private static final Logger logger = LoggerFactory.getLogger(TraceServerInterceptor.class);

  private final MdcKeys keys;
  private final boolean readRequestId;
  private final int maxRequestIdLength;
  private final boolean echoTraceId;

  TraceServerInterceptor(
      MdcKeys keys, boolean readRequestId, int maxRequestIdLength, boolean echoTraceId) {
    this.keys = keys;
    this.readRequestId = readRequestId;
    this.maxRequestIdLength = maxRequestIdLength;
    this.echoTraceId = echoTraceId;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    return start(Context.current(), readTrace(headers), echoTraceId, call, headers, next);
  }

  /** Puts {@code trace} in the call's Context and MDC, echoes it, and starts {@code next}. */
  static <ReqT, RespT> ServerCall.Listener<ReqT> start(
      Context parent,
      CallTrace trace,
      boolean echoTraceId,
      ServerCall<ReqT, RespT> call,
      Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    // Inside a chain the record goes in the chain's CallInfo, whose Context the chain attaches
    // around every callback; otherwise (or when a trace part already ran) in a Context of our own,
    // which the listener attaches around each callback as Contexts.interceptCall would.
    CallInfo info = CallInfo.fromContext(parent);
    Context context =
        info != null && InternalCallInfo.setTrace(info, trace)
            ? null
            : parent.withValue(CallTrace.KEY, trace);
    ServerCall<ReqT, RespT> traced = new TraceServerCall<>(call, trace, echoTraceId);
    String t = trace.previousTrace();
    String s = trace.previousSpan();
    String r = trace.previousRequest();
    trace.put();
    Context previous = context == null ? null : context.attach();
    try {
      return new TraceServerListener<>(next.startCall(traced, headers), context, trace);
    } finally {
      if (context != null) {
        context.detach(previous);
      }
      trace.restore(t, s, r);
    }
  }

  private CallTrace readTrace(Metadata headers) {
    String traceId = null;
    int flags = CallTrace.STARTED_HERE;
    String traceState = null;
    if (headers.containsKey(TraceParent.TRACEPARENT)) {
      String value = TraceParent.singleValue(headers, TraceParent.TRACEPARENT);
      TraceParent parent = value == null ? null : TraceParent.parse(value);
      if (parent != null) {
        traceId = parent.traceId;
        flags = parent.flags;
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
    String spanId = keys.spanId == null ? null : RandomIds.spanId();
    return new CallTrace(traceId, spanId, flags, traceState, requestId, keys);
  }

  private @Nullable String readRequestId(Metadata headers) {
    if (!headers.containsKey(X_REQUEST_ID)) {
      return null;
    }
    String value = TraceParent.singleValue(headers, X_REQUEST_ID);
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

  /** Puts the MDC around the response path and echoes the trace id. */
  private static final class TraceServerCall<ReqT, RespT>
      extends SimpleForwardingServerCall<ReqT, RespT> {
    private final CallTrace trace;
    private final boolean echoTraceId;
    private volatile boolean headersSent;

    TraceServerCall(ServerCall<ReqT, RespT> delegate, CallTrace trace, boolean echoTraceId) {
      super(delegate);
      this.trace = trace;
      this.echoTraceId = echoTraceId;
    }

    @Override
    public void sendHeaders(Metadata headers) {
      headersSent = true;
      if (echoTraceId) {
        headers.discardAll(X_TRACE_ID);
        headers.put(X_TRACE_ID, trace.traceId);
      }
      String t = trace.previousTrace();
      String s = trace.previousSpan();
      String r = trace.previousRequest();
      trace.put();
      try {
        super.sendHeaders(headers);
      } finally {
        trace.restore(t, s, r);
      }
    }

    @Override
    public void sendMessage(RespT message) {
      String t = trace.previousTrace();
      String s = trace.previousSpan();
      String r = trace.previousRequest();
      trace.put();
      try {
        super.sendMessage(message);
      } finally {
        trace.restore(t, s, r);
      }
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (echoTraceId && !headersSent) {
        trailers.discardAll(X_TRACE_ID);
        trailers.put(X_TRACE_ID, trace.traceId);
      }
      String t = trace.previousTrace();
      String s = trace.previousSpan();
      String r = trace.previousRequest();
      trace.put();
      try {
        super.close(status, trailers);
      } finally {
        trace.restore(t, s, r);
      }
    }
  }
}
