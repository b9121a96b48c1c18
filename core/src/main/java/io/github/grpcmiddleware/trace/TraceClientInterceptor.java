package io.github.grpcmiddleware.trace;

import io.github.grpcmiddleware.internal.RandomIds;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/** Sends the current trace on in {@code traceparent}; see {@link TraceIds#clientBuilder()}. */
final class TraceClientInterceptor implements ClientInterceptor {
  private final MdcKeys keys;

  TraceClientInterceptor(MdcKeys keys) {
    this.keys = keys;
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    return new TraceClientCall<>(
        next.newCall(method, callOptions), keys, ServerCallScope.current());
  }

  private static final class TraceClientCall<ReqT, RespT>
      extends SimpleForwardingClientCall<ReqT, RespT> {
    private final MdcKeys keys;
    private final @Nullable ServerCallScope serverCall;

    TraceClientCall(
        ClientCall<ReqT, RespT> delegate, MdcKeys keys, @Nullable ServerCallScope serverCall) {
      super(delegate);
      this.keys = keys;
      this.serverCall = serverCall;
    }

    @Override
    public void start(Listener<RespT> responseListener, Metadata headers) {
      String traceId;
      String spanId = null;
      String existing = TraceParent.singleValue(headers, TraceParent.TRACEPARENT);
      TraceParent parsed = existing == null ? null : TraceParent.parse(existing);
      if (headers.containsKey(TraceParent.TRACEPARENT)) {
        // OpenTelemetry (or the application) already propagates this call: inject nothing.
        traceId = parsed != null ? parsed.traceId : currentTraceId();
      } else if (serverCall != null && serverCall.traceId() != null) {
        traceId = Objects.requireNonNull(serverCall.traceId());
        spanId = keys.spanId == null ? null : serverCall.spanId();
        inject(headers, traceId, serverCall.traceFlags(), serverCall.traceState());
      } else {
        traceId = currentTraceId();
        // A trace started here records nothing, so it must not claim to be sampled.
        inject(headers, traceId, 0, null);
      }
      MdcEntries mdc = new MdcEntries(keys, traceId, spanId, null);
      super.start(new TraceClientListener<>(responseListener, mdc), headers);
    }

    private String currentTraceId() {
      String fromCall = serverCall == null ? null : serverCall.traceId();
      if (fromCall != null) {
        return fromCall;
      }
      String fromMdc = MDC.get(keys.traceId);
      return fromMdc != null && TraceParent.isValidTraceId(fromMdc) ? fromMdc : RandomIds.traceId();
    }

    private static void inject(
        Metadata headers, String traceId, int flags, @Nullable String traceState) {
      headers.put(
          TraceParent.TRACEPARENT, TraceParent.format(traceId, RandomIds.spanIdBits(), flags));
      if (traceState != null && !headers.containsKey(TraceParent.TRACESTATE)) {
        headers.put(TraceParent.TRACESTATE, traceState);
      }
    }
  }
}
