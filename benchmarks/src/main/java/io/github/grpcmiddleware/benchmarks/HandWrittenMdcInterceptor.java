package io.github.grpcmiddleware.benchmarks;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.UUID;
import org.slf4j.MDC;

/**
 * The MDC interceptor services typically write themselves (the peer of our trace interceptor): the
 * trace id from a header or a random UUID, put into the MDC in {@code interceptCall} and around
 * each listener callback, removed afterwards.
 */
final class HandWrittenMdcInterceptor implements ServerInterceptor {

  private static final Metadata.Key<String> TRACE_ID =
      Metadata.Key.of("x-trace-id", Metadata.ASCII_STRING_MARSHALLER);
  private static final String MDC_KEY = "traceId";

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String header = headers.get(TRACE_ID);
    String traceId = header != null ? header : UUID.randomUUID().toString();
    MDC.put(MDC_KEY, traceId);
    ServerCall.Listener<ReqT> delegate;
    try {
      delegate = next.startCall(call, headers);
    } finally {
      MDC.remove(MDC_KEY);
    }
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT>(delegate) {
      @Override
      public void onMessage(ReqT message) {
        MDC.put(MDC_KEY, traceId);
        try {
          super.onMessage(message);
        } finally {
          MDC.remove(MDC_KEY);
        }
      }

      @Override
      public void onHalfClose() {
        MDC.put(MDC_KEY, traceId);
        try {
          super.onHalfClose();
        } finally {
          MDC.remove(MDC_KEY);
        }
      }

      @Override
      public void onCancel() {
        MDC.put(MDC_KEY, traceId);
        try {
          super.onCancel();
        } finally {
          MDC.remove(MDC_KEY);
        }
      }

      @Override
      public void onComplete() {
        MDC.put(MDC_KEY, traceId);
        try {
          super.onComplete();
        } finally {
          MDC.remove(MDC_KEY);
        }
      }

      @Override
      public void onReady() {
        MDC.put(MDC_KEY, traceId);
        try {
          super.onReady();
        } finally {
          MDC.remove(MDC_KEY);
        }
      }
    };
  }
}
