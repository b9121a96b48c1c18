package io.github.grpcmiddleware.testsupport;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.MDC;

/**
 * Records the MDC trace id the response path sees where this interceptor sits: {@code
 * "<phase>=<traceId>"} for sendHeaders, sendMessage and close.
 */
public final class CallObserver implements ServerInterceptor {
  /** What was seen, in order. */
  public final Queue<String> seen = new ConcurrentLinkedQueue<>();

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    return next.startCall(
        new SimpleForwardingServerCall<ReqT, RespT>(call) {
          @Override
          public void sendHeaders(Metadata responseHeaders) {
            seen.add("sendHeaders=" + MDC.get("traceId"));
            super.sendHeaders(responseHeaders);
          }

          @Override
          public void sendMessage(RespT message) {
            seen.add("sendMessage=" + MDC.get("traceId"));
            super.sendMessage(message);
          }

          @Override
          public void close(Status status, Metadata trailers) {
            seen.add("close=" + MDC.get("traceId"));
            super.close(status, trailers);
          }
        },
        headers);
  }
}
