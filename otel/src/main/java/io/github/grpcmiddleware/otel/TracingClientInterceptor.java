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
import org.jspecify.annotations.Nullable;

/** Starts a CLIENT span per call and injects its context; see {@link GrpcTracing}. */
final class TracingClientInterceptor implements ClientInterceptor {

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

  TracingClientInterceptor(Tracer tracer, TextMapPropagator propagator) {
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
    Span span = builder.startSpan();
    Context context = parent.with(span);
    ClientCall<ReqT, RespT> call;
    try (Scope ignored = context.makeCurrent()) {
      call = next.newCall(method, callOptions);
    } catch (RuntimeException | Error e) {
      RpcAttributes.end(span, Status.fromThrowable(e), false);
      throw e;
    }
    return new SpanClientCall<>(call, span, context, propagator);
  }

  private static final class SpanClientCall<ReqT, RespT>
      extends ForwardingClientCall.SimpleForwardingClientCall<ReqT, RespT> {
    private final Span span;
    private final Context context;
    private final TextMapPropagator propagator;

    SpanClientCall(
        ClientCall<ReqT, RespT> delegate,
        Span span,
        Context context,
        TextMapPropagator propagator) {
      super(delegate);
      this.span = span;
      this.context = context;
      this.propagator = propagator;
    }

    @Override
    public void start(Listener<RespT> responseListener, Metadata headers) {
      propagator.inject(context, headers, SETTER);
      try (Scope ignored = context.makeCurrent()) {
        super.start(new SpanClientListener<>(responseListener, span, context), headers);
      } catch (RuntimeException | Error e) {
        RpcAttributes.end(span, Status.fromThrowable(e), false);
        throw e;
      }
    }
  }

  private static final class SpanClientListener<RespT>
      extends ForwardingClientCallListener.SimpleForwardingClientCallListener<RespT> {
    private final Span span;
    private final Context context;
    private boolean ended;

    SpanClientListener(ClientCall.Listener<RespT> delegate, Span span, Context context) {
      super(delegate);
      this.span = span;
      this.context = context;
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      if (!ended) {
        ended = true;
        RpcAttributes.end(span, status, false);
      }
      try (Scope ignored = context.makeCurrent()) {
        super.onClose(status, trailers);
      }
    }
  }
}
