package io.github.grpcmiddleware.logging;

import io.github.grpcmiddleware.chain.CallInfo;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.SocketAddress;
import org.jspecify.annotations.Nullable;

/** Writes one access-log line per server call, when it ends. */
final class AccessLogServerInterceptor implements ServerInterceptor {

  private final AccessLogWriter writer;
  private final MethodSelector excluded;

  AccessLogServerInterceptor(AccessLogWriter writer, MethodSelector excluded) {
    this.writer = writer;
    this.excluded = excluded;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    // A disabled logger costs nothing per call: no record, no Context, no wrappers. Error mapping
    // and auth handle a Context without a CallInfo.
    if (!writer.mayWrite() || excluded.matches(call.getMethodDescriptor())) {
      return next.startCall(call, headers);
    }
    long start = System.nanoTime();
    Context context = Context.current();
    CallInfo info = CallInfo.fromContext(context);
    boolean ownInfo = info == null;
    if (info == null) {
      info = new CallInfo();
      context = info.attachTo(context);
    }
    Call<ReqT, RespT> logged = new Call<>(call, context, start, writer, info, headers);
    ServerCall.Listener<ReqT> listener =
        ownInfo
            ? Contexts.interceptCall(context, logged, headers, next)
            : next.startCall(logged, headers);
    return logged.listener(listener);
  }

  private static final class Call<ReqT, RespT> extends RecordingServerCall<ReqT, RespT> {
    private final AccessLogWriter writer;
    private final CallInfo info;
    private final Metadata headers;
    private final @Nullable String traceId;
    private final @Nullable SocketAddress peer;
    private final long deadlineNanos;
    private volatile int received;
    private volatile int sent;

    Call(
        ServerCall<ReqT, RespT> delegate,
        Context context,
        long start,
        AccessLogWriter writer,
        CallInfo info,
        Metadata headers) {
      super(delegate, context, start);
      this.writer = writer;
      this.info = info;
      this.headers = headers;
      this.traceId = TraceIds.fromContext(context);
      this.peer = delegate.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
      this.deadlineNanos = AccessLogWriter.remainingNanos(context.getDeadline());
    }

    @Override
    @SuppressWarnings("NonAtomicVolatileUpdate") // one writer at a time: calls are serialized
    void messageSent() {
      sent++;
    }

    @Override
    @SuppressWarnings("NonAtomicVolatileUpdate") // callbacks are serialized
    void messageReceived() {
      received++;
    }

    @Override
    void record(Status status, long durationNanos) {
      writer.write(
          getMethodDescriptor(),
          status.getCode(),
          durationNanos,
          peer,
          traceId,
          info.principalName(),
          received,
          sent,
          headers,
          info.mappedException(),
          deadlineNanos);
    }
  }
}
