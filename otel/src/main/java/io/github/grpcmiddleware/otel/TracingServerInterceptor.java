package io.github.grpcmiddleware.otel;

import io.github.grpcmiddleware.internal.ChainPart;
import io.github.grpcmiddleware.internal.RandomIds;
import io.github.grpcmiddleware.internal.ServerCallObserver;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.internal.W3CTraceContext;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.Collections;
import org.jspecify.annotations.Nullable;

/** Starts a SERVER span per call and makes its ids the call's trace id; see {@link GrpcTracing}. */
final class TracingServerInterceptor implements ServerInterceptor, ChainPart {

  private static final TextMapGetter<Metadata> GETTER =
      new TextMapGetter<Metadata>() {
        @Override
        public Iterable<String> keys(Metadata carrier) {
          return carrier.keys();
        }

        /**
         * Applies core's W3C rules before the propagator sees the headers, so that both trace parts
         * accept the same calls: repeated {@code tracestate} (and {@code baggage}) headers are
         * combined in order, a duplicated {@code tracestate} key keeps its first member, an invalid
         * list is discarded whole, and a {@code traceparent} sent twice with different values, or
         * invalid, starts a new trace.
         */
        @Override
        public @Nullable String get(@Nullable Metadata carrier, String key) {
          if (carrier == null || key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
            return null;
          }
          Iterable<String> values =
              carrier.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
          switch (key) {
            case "traceparent":
              String value = W3CTraceContext.singleValue(values);
              return value != null && W3CTraceContext.traceParentFlags(value) >= 0 ? value : null;
            case "tracestate":
              return W3CTraceContext.traceState(values);
            case "baggage":
              return values == null ? null : String.join(",", values);
            default:
              return carrier.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
          }
        }
      };

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final BaggageLimit baggageLimit;
  private final boolean reuseCurrentSpan;

  TracingServerInterceptor(
      Tracer tracer,
      TextMapPropagator propagator,
      BaggageLimit baggageLimit,
      boolean reuseCurrentSpan) {
    this.tracer = tracer;
    this.propagator = propagator;
    this.baggageLimit = baggageLimit;
    this.reuseCurrentSpan = reuseCurrentSpan;
  }

  @Override
  public String chainSlot() {
    return "tracing";
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    ServerCallScope found = ServerCallScope.current();
    if (found != null && found.traceId() != null) {
      // One owner of the trace id per call: a trace part already ran (installed twice).
      return ServerCallScope.open(this, call).startNext(this, call, headers, next);
    }
    if (reuseCurrentSpan) {
      Context current = Context.current();
      Span span = Span.fromContextOrNull(current);
      if (span != null && span.getSpanContext().isValid()) {
        return mirror(current, span.getSpanContext(), call, headers, next);
      }
    }
    Context extracted = baggageLimit.apply(propagator.extract(Context.root(), headers, GETTER));
    MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
    SpanBuilder builder =
        RpcAttributes.method(
            tracer
                .spanBuilder(method.getFullMethodName())
                .setSpanKind(SpanKind.SERVER)
                .setParent(extracted),
            method);
    RpcAttributes.authority(builder, call.getAuthority());
    RpcAttributes.peer(builder, call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
    Span span = builder.startSpan();
    Context context = extracted.with(span);
    ServerCallScope scope = ServerCallScope.open(this, call);
    ServerCall.Listener<ReqT> listener;
    try (Scope ignored = context.makeCurrent()) {
      // When OpenTelemetry keeps its Context in io.grpc.Context (the grpc-1.6 library's storage
      // bridge), the Context the scope attaches must carry the span too.
      scope.deriveContextFromCurrent();
      setTrace(scope, span.getSpanContext());
      // The span ends with the status the call's scope reports: the transport's, with the chain's
      // stream tracer installed, so also for calls grpc-java closed itself.
      scope.observe(new SpanEnd(span));
      listener = scope.startNext(this, call, headers, next);
    }
    return new ContextListener<>(listener, context);
  }

  /**
   * Mirrors the ids of a span started outside (OpenTelemetry's own instrumentation); its baggage,
   * extracted without bounds, is bounded here too.
   */
  private <ReqT, RespT> ServerCall.Listener<ReqT> mirror(
      Context current,
      SpanContext ids,
      ServerCall<ReqT, RespT> call,
      Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    ServerCallScope scope = ServerCallScope.open(this, call);
    setTrace(scope, ids);
    Context bounded = baggageLimit.apply(current);
    if (bounded == current) {
      return scope.startNext(this, call, headers, next);
    }
    ServerCall.Listener<ReqT> listener;
    try (Scope ignored = bounded.makeCurrent()) {
      scope.deriveContextFromCurrent();
      listener = scope.startNext(this, call, headers, next);
    }
    return new ContextListener<>(listener, bounded);
  }

  /**
   * Makes the span's ids the call's trace ids (MDC {@code traceId} and {@code spanId}, {@code
   * x-trace-id}); ids that are not valid (the all-zero ids of a no-op OpenTelemetry) are replaced
   * by new random ones, so the call still has a usable trace id.
   */
  private static void setTrace(ServerCallScope scope, SpanContext ids) {
    boolean valid = ids.isValid();
    // The span's sampling decision and tracestate travel with it, so that core's client
    // interceptor continues this span (not a new trace) when the service calls another one.
    String state = valid ? traceState(ids.getTraceState()) : null;
    scope.setTrace(
        valid ? ids.getTraceId() : RandomIds.traceId(),
        valid ? ids.getSpanId() : RandomIds.spanId(),
        valid ? (ids.isSampled() ? 1 : 0) : ServerCallScope.TRACE_STARTED_HERE,
        state == null ? null : W3CTraceContext.traceState(Collections.singletonList(state)),
        null,
        "traceId",
        "spanId",
        "requestId",
        true,
        valid);
  }

  private static @Nullable String traceState(TraceState state) {
    if (state.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    state.forEach(
        (key, value) -> {
          if (sb.length() > 0) {
            sb.append(',');
          }
          sb.append(key).append('=').append(value);
        });
    return sb.toString();
  }

  /** Ends the span once, with the status the caller received. */
  private static final class SpanEnd implements ServerCallObserver {
    private final Span span;

    SpanEnd(Span span) {
      this.span = span;
    }

    @Override
    public void callEnded(ServerCallScope call, Status status) {
      RpcAttributes.end(span, status, true);
    }
  }

  /** Makes a Context current around every callback. */
  private static final class ContextListener<ReqT>
      extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT> {
    private final Context context;

    ContextListener(ServerCall.Listener<ReqT> delegate, Context context) {
      super(delegate);
      this.context = context;
    }

    @Override
    public void onMessage(ReqT message) {
      try (Scope ignored = context.makeCurrent()) {
        super.onMessage(message);
      }
    }

    @Override
    public void onHalfClose() {
      try (Scope ignored = context.makeCurrent()) {
        super.onHalfClose();
      }
    }

    @Override
    public void onReady() {
      try (Scope ignored = context.makeCurrent()) {
        super.onReady();
      }
    }

    @Override
    public void onComplete() {
      try (Scope ignored = context.makeCurrent()) {
        super.onComplete();
      }
    }

    @Override
    public void onCancel() {
      try (Scope ignored = context.makeCurrent()) {
        super.onCancel();
      }
    }
  }
}
