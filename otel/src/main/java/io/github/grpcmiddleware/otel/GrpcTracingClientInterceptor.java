package io.github.grpcmiddleware.otel;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.jspecify.annotations.Nullable;

/**
 * Starts a CLIENT span per call, injects its context and makes it current around every callback;
 * see {@link GrpcTracing}.
 */
final class GrpcTracingClientInterceptor implements ClientInterceptor {

  private static final TextMapSetter<Metadata> SETTER =
      (@Nullable Metadata carrier, String key, String value) -> {
        if (carrier != null) {
          Metadata.Key<String> k = Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER);
          carrier.discardAll(k);
          carrier.put(k, value);
        }
      };

  private final Tracer tracer;
  private final TextMapPropagator propagator;

  GrpcTracingClientInterceptor(Tracer tracer, TextMapPropagator propagator) {
    this.tracer = tracer;
    this.propagator = propagator;
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    Context parent = Context.current();
    SpanBuilder builder =
        RpcAttributes.method(
            tracer
                .spanBuilder(method.getFullMethodName())
                .setSpanKind(SpanKind.CLIENT)
                .setParent(parent),
            method);
    RpcAttributes.authority(builder, next.authority());
    SpanEnd span = new SpanEnd(builder.startSpan());
    Context context = parent.with(span.span);
    ClientCall<ReqT, RespT> call;
    try (Scope ignored = context.makeCurrent()) {
      call = next.newCall(method, callOptions);
    } catch (RuntimeException | Error e) {
      span.end(Status.fromThrowable(e));
      throw e;
    }
    return new SpanClientCall<>(call, span, context, propagator);
  }

  /** Ends a span exactly once, whichever of start, cancel and onClose gets there first. */
  private static final class SpanEnd {
    private static final AtomicIntegerFieldUpdater<SpanEnd> ENDED =
        AtomicIntegerFieldUpdater.newUpdater(SpanEnd.class, "ended");
    final Span span;
    private volatile int ended;

    SpanEnd(Span span) {
      this.span = span;
    }

    void end(Status status) {
      if (ENDED.compareAndSet(this, 0, 1)) {
        RpcAttributes.end(span, status, false);
      }
    }
  }

  private static final class SpanClientCall<ReqT, RespT>
      extends ForwardingClientCall.SimpleForwardingClientCall<ReqT, RespT> {
    private final SpanEnd span;
    private final Context context;
    private final TextMapPropagator propagator;
    private volatile boolean started;

    SpanClientCall(
        ClientCall<ReqT, RespT> delegate,
        SpanEnd span,
        Context context,
        TextMapPropagator propagator) {
      super(delegate);
      this.span = span;
      this.context = context;
      this.propagator = propagator;
    }

    @Override
    public void start(Listener<RespT> responseListener, Metadata headers) {
      started = true;
      propagator.inject(context, headers, SETTER);
      try (Scope ignored = context.makeCurrent()) {
        super.start(new SpanClientListener<>(responseListener, span, context), headers);
      } catch (RuntimeException | Error e) {
        span.end(Status.fromThrowable(e));
        throw e;
      }
    }

    @Override
    public void cancel(@Nullable String message, @Nullable Throwable cause) {
      if (!started) {
        // No listener exists yet, so no onClose will come: this is the call's end.
        span.end(Status.CANCELLED.withDescription(message).withCause(cause));
      }
      super.cancel(message, cause);
    }
  }

  /**
   * Makes the span's Context current around every callback: without a bridge between {@code
   * io.grpc.Context} and OpenTelemetry's, the channel's executor threads have none of their own.
   */
  private static final class SpanClientListener<RespT>
      extends ForwardingClientCallListener.SimpleForwardingClientCallListener<RespT> {
    private final SpanEnd span;
    private final Context context;

    SpanClientListener(ClientCall.Listener<RespT> delegate, SpanEnd span, Context context) {
      super(delegate);
      this.span = span;
      this.context = context;
    }

    @Override
    public void onHeaders(Metadata headers) {
      try (Scope ignored = context.makeCurrent()) {
        super.onHeaders(headers);
      }
    }

    @Override
    public void onMessage(RespT message) {
      try (Scope ignored = context.makeCurrent()) {
        super.onMessage(message);
      }
    }

    @Override
    public void onReady() {
      try (Scope ignored = context.makeCurrent()) {
        super.onReady();
      }
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      span.end(status);
      try (Scope ignored = context.makeCurrent()) {
        super.onClose(status, trailers);
      }
    }
  }
}
