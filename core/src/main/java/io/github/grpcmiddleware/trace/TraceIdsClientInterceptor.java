package io.github.grpcmiddleware.trace;

import io.github.grpcmiddleware.internal.ClientHeaderHost;
import io.github.grpcmiddleware.internal.ClientHeaderPart;
import io.github.grpcmiddleware.internal.HeaderKeys;
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

/**
 * Sends the current trace on in {@code traceparent}; see {@link TraceIds#clientBuilder()}.
 *
 * <p>In a client chain, header-only parts right outside this one (the locale part) run at the start
 * of this part's call wrapper ({@link ClientHeaderHost}): a call gets one wrapper and one listener
 * for all of them, not one wrapper each (AllocationProbe {@code chain}: 24 bytes and one forwarding
 * hop less per call).
 */
final class TraceIdsClientInterceptor implements ClientInterceptor, ClientHeaderHost {
  /** The sampled flag of W3C Trace Context. */
  static final int SAMPLED = 0x01;

  private static final ClientHeaderPart[] NO_PARTS = new ClientHeaderPart[0];

  private final MdcKeys keys;
  private final int newTraceFlags;

  /** The header parts that run first at each call's start, outermost first; often none. */
  private final ClientHeaderPart[] outer;

  TraceIdsClientInterceptor(MdcKeys keys, boolean sampleNewTraces) {
    this(keys, sampleNewTraces ? SAMPLED : 0, NO_PARTS);
  }

  private TraceIdsClientInterceptor(MdcKeys keys, int newTraceFlags, ClientHeaderPart[] outer) {
    this.keys = keys;
    this.newTraceFlags = newTraceFlags;
    this.outer = outer;
  }

  @Override
  public ClientInterceptor withOuterHeaderParts(ClientHeaderPart[] outer) {
    ClientHeaderPart[] all = new ClientHeaderPart[outer.length + this.outer.length];
    System.arraycopy(outer, 0, all, 0, outer.length);
    System.arraycopy(this.outer, 0, all, outer.length, this.outer.length);
    return new TraceIdsClientInterceptor(keys, newTraceFlags, all);
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    return new TraceClientCall<>(
        next.newCall(method, callOptions), this, ServerCallScope.current());
  }

  /** One per call: the part's settings are read through {@code part}, not copied per call. */
  private static final class TraceClientCall<ReqT, RespT>
      extends SimpleForwardingClientCall<ReqT, RespT> {
    private final TraceIdsClientInterceptor part;
    private final @Nullable ServerCallScope serverCall;

    TraceClientCall(
        ClientCall<ReqT, RespT> delegate,
        TraceIdsClientInterceptor part,
        @Nullable ServerCallScope serverCall) {
      super(delegate);
      this.part = part;
      this.serverCall = serverCall;
    }

    @Override
    public void start(Listener<RespT> responseListener, Metadata headers) {
      // What the header parts outside this one would have done in their own wrappers' start.
      for (ClientHeaderPart header : part.outer) {
        header.addHeaders(headers);
      }
      MdcKeys keys = part.keys;
      int newTraceFlags = part.newTraceFlags;
      String traceId;
      String spanId = null;
      String existing = TraceParent.singleValue(headers, HeaderKeys.TRACEPARENT);
      TraceParent parsed = existing == null ? null : TraceParent.parse(existing);
      if (headers.containsKey(HeaderKeys.TRACEPARENT)) {
        // OpenTelemetry (or the application) already propagates this call: inject nothing.
        traceId = parsed != null ? parsed.traceId : currentTraceId();
      } else if (serverCall != null && serverCall.traceId() != null) {
        traceId = Objects.requireNonNull(serverCall.traceId());
        String serverSpan = serverCall.spanId();
        spanId = keys.spanId == null ? null : serverSpan;
        // A tracer's decision (the incoming flags, or the owning span's) travels on unchanged;
        // only a trace that started on this server without one gets this client's choice.
        int flags =
            serverCall.traceFlags() == ServerCallScope.TRACE_STARTED_HERE
                ? newTraceFlags
                : serverCall.traceFlags();
        String parent = serverCall.spanIsParent() ? serverSpan : null;
        inject(headers, traceId, parent, flags, serverCall.traceState());
      } else {
        traceId = currentTraceId();
        // Sampled by default: a parent-based sampler downstream obeys this flag, and a trace
        // started here has no tracer of its own to record it otherwise.
        inject(headers, traceId, null, newTraceFlags, null);
      }
      super.start(new TraceClientListener<>(responseListener, keys, traceId, spanId), headers);
    }

    private String currentTraceId() {
      String fromCall = serverCall == null ? null : serverCall.traceId();
      if (fromCall != null) {
        return fromCall;
      }
      String fromMdc = MDC.get(part.keys.traceId);
      return fromMdc != null && TraceParent.isValidTraceId(fromMdc) ? fromMdc : RandomIds.traceId();
    }

    private static void inject(
        Metadata headers,
        String traceId,
        @Nullable String parentSpanId,
        int flags,
        @Nullable String traceState) {
      headers.put(
          HeaderKeys.TRACEPARENT,
          parentSpanId != null
              ? TraceParent.format(traceId, parentSpanId, flags)
              : TraceParent.format(traceId, RandomIds.spanIdBits(), flags));
      if (traceState != null && !headers.containsKey(HeaderKeys.TRACESTATE)) {
        headers.put(HeaderKeys.TRACESTATE, traceState);
      }
    }
  }
}
