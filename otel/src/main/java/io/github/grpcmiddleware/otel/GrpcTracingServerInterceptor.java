package io.github.grpcmiddleware.otel;

import io.github.grpcmiddleware.internal.ContextBracket;
import io.github.grpcmiddleware.internal.HeaderKeys;
import io.github.grpcmiddleware.internal.PipelineCall;
import io.github.grpcmiddleware.internal.RandomIds;
import io.github.grpcmiddleware.internal.ServerCallObserver;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.internal.ServerPart;
import io.github.grpcmiddleware.internal.StartResult;
import io.github.grpcmiddleware.internal.TraceValues;
import io.github.grpcmiddleware.internal.W3CTraceContext;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
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

/**
 * Starts a SERVER span per call and makes its ids the call's trace id; see {@link GrpcTracing}.
 *
 * <p>The span is current in every callback through the call pipeline's one bracket: when
 * OpenTelemetry keeps its Context in io.grpc.Context (the {@code opentelemetry-grpc-1.6} library's
 * storage bridge, or the agent), the call's Context carries it; otherwise the call registers a
 * bracket that makes it current. An outer span is reused only in the first case, where the current
 * Context is the call's own: without the bridge, the span current while the call starts may be the
 * caller's (an in-process client under {@code directExecutor()}).
 */
final class GrpcTracingServerInterceptor extends ServerPart {

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

  private static final TraceValues.Keys KEYS =
      new TraceValues.Keys("traceId", "spanId", "requestId", true);

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final BaggageLimit baggageLimit;
  private final boolean reuseCurrentSpan;

  GrpcTracingServerInterceptor(
      Tracer tracer,
      TextMapPropagator propagator,
      BaggageLimit baggageLimit,
      boolean reuseCurrentSpan) {
    super(TRACING, ON_START, "tracing", "GrpcTracing");
    this.tracer = tracer;
    this.propagator = propagator;
    this.baggageLimit = baggageLimit;
    this.reuseCurrentSpan = reuseCurrentSpan;
  }

  @Override
  public StartResult start(ServerCallScope scope, PipelineCall<?, ?> call, Metadata headers) {
    if (scope.traceId() != null) {
      return StartResult.CONTINUE; // core's trace part ran in a pipeline outside this one
    }
    if (reuseCurrentSpan && ContextBridge.bridged()) {
      Context current = Context.current();
      Span span = Span.fromContextOrNull(current);
      if (span != null && span.getSpanContext().isValid() && !isCallersSpan(span, headers)) {
        mirror(scope, current, span.getSpanContext());
        return StartResult.CONTINUE;
      }
    }
    // With the storage bridge, the current Context is the call's own and carries its
    // io.grpc.Context
    // (deadline, cancellation, the call's record): the span's Context must keep it. Without it, the
    // current Context may be the caller's (in-process), so the span's starts from the root.
    Context base = ContextBridge.bridged() ? Context.current() : Context.root();
    Context extracted = baggageLimit.apply(propagator.extract(base, headers, GETTER));
    MethodDescriptor<?, ?> method = call.getMethodDescriptor();
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
    setTrace(scope, span.getSpanContext());
    // The span ends with the status the call's record reports: the transport's, with the chain's
    // stream tracer installed, so also for calls grpc-java closed itself.
    SpanCall spanCall = new SpanCall(span, context);
    scope.observe(spanCall);
    makeCurrent(scope, context, spanCall);
    return StartResult.CONTINUE;
  }

  /**
   * Makes {@code context} current in every later callback: through the call's io.grpc.Context when
   * OpenTelemetry keeps its Context there, else with a bracket of its own.
   */
  private static void makeCurrent(
      ServerCallScope scope, Context context, @Nullable ContextBracket bracket) {
    io.grpc.Context before = io.grpc.Context.current();
    io.grpc.Context carrying;
    try (Scope ignored = context.makeCurrent()) {
      carrying = io.grpc.Context.current();
    }
    if (carrying != before) {
      scope.useContext(carrying);
    } else {
      scope.addContextBracket(bracket != null ? bracket : new SpanCall(null, context));
    }
  }

  /**
   * Whether {@code span} is the caller's own span, whose id the request's {@code traceparent} names
   * as the parent: never this call's server span.
   */
  private static boolean isCallersSpan(Span span, Metadata headers) {
    String traceparent = headers.get(HeaderKeys.TRACEPARENT);
    return traceparent != null
        && traceparent.length() >= 52
        && traceparent.regionMatches(36, span.getSpanContext().getSpanId(), 0, 16);
  }

  /**
   * Mirrors the ids of a span started outside for this call (OpenTelemetry's own instrumentation);
   * its baggage, extracted without bounds, is bounded here too.
   */
  private void mirror(ServerCallScope scope, Context current, SpanContext ids) {
    setTrace(scope, ids);
    Context bounded = baggageLimit.apply(current);
    if (bounded != current) {
      makeCurrent(scope, bounded, null);
    }
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
        new TraceValues(
            valid ? ids.getTraceId() : RandomIds.traceId(),
            valid ? ids.getSpanId() : RandomIds.spanId(),
            valid ? (ids.isSampled() ? 1 : 0) : TraceValues.STARTED_HERE,
            state == null ? null : W3CTraceContext.traceState(Collections.singletonList(state)),
            null,
            valid,
            KEYS));
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

  /**
   * The span of one call: ends it once, with the status the caller received, and (without the
   * storage bridge) makes its Context current around each callback. One object per call for both.
   */
  private static final class SpanCall implements ServerCallObserver, ContextBracket {
    private final @Nullable Span span;
    private final Context context;

    SpanCall(@Nullable Span span, Context context) {
      this.span = span;
      this.context = context;
    }

    @Override
    public void callEnded(ServerCallScope call, Status status) {
      Span ended = span;
      if (ended != null) {
        RpcAttributes.end(ended, status, true);
      }
    }

    @Override
    @SuppressWarnings("MustBeClosedChecker") // closed by exit(), in the pipeline's finally
    public Object enter() {
      return context.makeCurrent();
    }

    @Override
    public void exit(Object token) {
      ((Scope) token).close();
    }
  }
}
