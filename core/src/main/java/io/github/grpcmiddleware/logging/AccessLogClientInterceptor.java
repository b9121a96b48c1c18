package io.github.grpcmiddleware.logging;

import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Grpc;
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
    return new Call<>(next.newCall(method, callOptions), start, method, writer, TraceIds.current());
  }

  private static final class Call<ReqT, RespT> extends RecordingClientCall<ReqT, RespT> {
    private final MethodDescriptor<ReqT, RespT> method;
    private final AccessLogWriter writer;
    private final @Nullable String traceId;
    private volatile int received;
    private volatile int sent;

    Call(
        ClientCall<ReqT, RespT> delegate,
        long start,
        MethodDescriptor<ReqT, RespT> method,
        AccessLogWriter writer,
        @Nullable String traceId) {
      super(delegate, start);
      this.method = method;
      this.writer = writer;
      this.traceId = traceId;
    }

    @Override
    @SuppressWarnings("NonAtomicVolatileUpdate") // the application serializes calls on a ClientCall
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
          method.getType(),
          method.getFullMethodName(),
          status.getCode(),
          durationNanos,
          getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
          traceId,
          null,
          received,
          sent,
          null,
          null);
    }
  }
}
