package io.github.grpcmiddleware.logging;

import io.github.grpcmiddleware.internal.RecordingClientCall;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import org.jspecify.annotations.Nullable;

/** Writes one access-log line per client call, when it closes. */
final class AccessLogClientInterceptor implements ClientInterceptor {

  private final AccessLogWriter writer;
  private final MethodSelector excluded;

  AccessLogClientInterceptor(AccessLogWriter writer, MethodSelector excluded) {
    this.writer = writer;
    this.excluded = excluded;
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    if (!writer.mayWrite() || excluded.matches(method)) {
      return next.newCall(method, callOptions);
    }
    long start = System.nanoTime();
    // grpc-java uses the earlier of the call's own deadline and the current Context's.
    Deadline deadline = callOptions.getDeadline();
    Deadline inherited = Context.current().getDeadline();
    if (inherited != null && (deadline == null || inherited.isBefore(deadline))) {
      deadline = inherited;
    }
    return new Call<>(
        next.newCall(method, callOptions),
        start,
        method,
        writer,
        TraceIds.current(),
        AccessLogWriter.remainingNanos(deadline));
  }

  private static final class Call<ReqT, RespT> extends RecordingClientCall<ReqT, RespT> {
    private final MethodDescriptor<ReqT, RespT> method;
    private final AccessLogWriter writer;
    private final @Nullable String currentTraceId;
    private volatile @Nullable Metadata headers;
    private final long deadlineNanos;
    private volatile int received;
    private volatile int sent;

    Call(
        ClientCall<ReqT, RespT> delegate,
        long start,
        MethodDescriptor<ReqT, RespT> method,
        AccessLogWriter writer,
        @Nullable String traceId,
        long deadlineNanos) {
      super(delegate, start);
      this.method = method;
      this.writer = writer;
      this.currentTraceId = traceId;
      this.deadlineNanos = deadlineNanos;
    }

    /**
     * Keeps the outgoing headers: a trace part nearer the channel adds its {@code traceparent} to
     * this same Metadata when the call starts, so by the time the call closes they hold the id the
     * call sent, whichever side of this interceptor the trace part runs on.
     */
    @Override
    public void start(ClientCall.Listener<RespT> responseListener, Metadata headers) {
      this.headers = headers;
      super.start(responseListener, headers);
    }

    /** The id the call sent, else the id of the server call it was made from, else null. */
    private @Nullable String sentTraceId() {
      Metadata sent = headers;
      String traceId = sent == null ? null : TraceIds.fromHeaders(sent);
      return traceId != null ? traceId : currentTraceId;
    }

    @Override
    @SuppressWarnings("NonAtomicVolatileUpdate") // the application serializes calls on a ClientCall
    protected void messageSent() {
      sent++;
    }

    @Override
    @SuppressWarnings("NonAtomicVolatileUpdate") // callbacks are serialized
    protected void messageReceived() {
      received++;
    }

    @Override
    protected void record(Status status, long durationNanos) {
      writer.write(
          method.getType(),
          method.getFullMethodName(),
          status.getCode(),
          durationNanos,
          getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
          sentTraceId(),
          null,
          received,
          sent,
          null,
          null,
          deadlineNanos);
    }
  }
}
