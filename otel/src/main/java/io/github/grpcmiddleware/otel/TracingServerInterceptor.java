package io.github.grpcmiddleware.otel;

import io.github.grpcmiddleware.internal.W3CTraceContext;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
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
import org.jspecify.annotations.Nullable;

/** Starts a SERVER span per call and makes its ids the call's trace id; see {@link GrpcTracing}. */
final class TracingServerInterceptor implements ServerInterceptor {

  private static final TextMapGetter<Metadata> GETTER =
      new TextMapGetter<Metadata>() {
        @Override
        public Iterable<String> keys(Metadata carrier) {
          return carrier.keys();
        }

        /**
         * Applies core's W3C rules before the propagator sees the headers, so that both trace parts
         * accept the same calls: repeated {@code tracestate} (and {@code baggage}) headers are
         * combined in order, an invalid {@code tracestate} list is discarded whole, and a {@code
         * traceparent} sent twice with different values, or invalid, starts a new trace.
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
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
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
    SpanCall<ReqT, RespT> spanCall = new SpanCall<>(call, span, io.grpc.Context.current());
    SpanContext ids = span.getSpanContext();
    ServerCall.Listener<ReqT> listener;
    try (Scope ignored = context.makeCurrent()) {
      listener = startCall(ids, spanCall, headers, next);
    } catch (RuntimeException | Error e) {
      RpcAttributes.end(span, Status.fromThrowable(e), true);
      throw e;
    }
    return new SpanListener<>(listener, context, spanCall);
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
    Context bounded = baggageLimit.apply(current);
    if (bounded == current) {
      return startCall(ids, call, headers, next);
    }
    ServerCall.Listener<ReqT> listener;
    try (Scope ignored = bounded.makeCurrent()) {
      listener = startCall(ids, call, headers, next);
    }
    return new ContextListener<>(listener, bounded);
  }

  /**
   * Hands the span's ids, sampling decision and tracestate to core, so that core's client
   * interceptor continues this span (not a new trace) when the service calls another one.
   */
  private static <ReqT, RespT> ServerCall.Listener<ReqT> startCall(
      SpanContext ids,
      ServerCall<ReqT, RespT> call,
      Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    return TraceIds.startCall(
        ids.getTraceId(),
        ids.getSpanId(),
        ids.isSampled(),
        traceState(ids.getTraceState()),
        call,
        headers,
        next);
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

  /** Captures the status the call was closed with (after error mapping, which is inner). */
  private static final class SpanCall<ReqT, RespT>
      extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
    final Span span;
    final io.grpc.Context grpcContext;
    volatile @Nullable Status closeStatus;
    private boolean ended;

    SpanCall(ServerCall<ReqT, RespT> delegate, Span span, io.grpc.Context grpcContext) {
      super(delegate);
      this.span = span;
      this.grpcContext = grpcContext;
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (closeStatus == null) {
        closeStatus = status;
      }
      super.close(status, trailers);
    }

    /** Called from the serialized onComplete/onCancel callbacks, so a plain flag suffices. */
    void end(boolean completed) {
      if (ended) {
        return;
      }
      ended = true;
      Status status;
      if (completed) {
        Status closed = closeStatus;
        status = closed != null ? closed : Status.OK;
      } else {
        Status cancelled = Contexts.statusFromCancelled(grpcContext);
        status = cancelled != null ? cancelled : Status.CANCELLED;
      }
      RpcAttributes.end(span, status, true);
    }
  }

  /** Makes a Context current around every callback. */
  private static class ContextListener<ReqT>
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

  /** Makes the span's Context current around every callback; ends the span once. */
  private static final class SpanListener<ReqT> extends ContextListener<ReqT> {
    private final SpanCall<ReqT, ?> call;

    SpanListener(ServerCall.Listener<ReqT> delegate, Context context, SpanCall<ReqT, ?> call) {
      super(delegate, context);
      this.call = call;
    }

    @Override
    public void onComplete() {
      try {
        super.onComplete();
      } finally {
        call.end(true);
      }
    }

    @Override
    public void onCancel() {
      try {
        super.onCancel();
      } finally {
        call.end(false);
      }
    }
  }
}
