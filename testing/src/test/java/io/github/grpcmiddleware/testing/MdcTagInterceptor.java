package io.github.grpcmiddleware.testing;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.slf4j.MDC;

/**
 * A stand-in for a tracing interceptor: puts the {@code x-tag} request header in the MDC around
 * each callback and echoes it in the response headers and trailers.
 */
final class MdcTagInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> TAG =
      Metadata.Key.of("x-tag", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> HEADER_ECHO =
      Metadata.Key.of("x-tag-header", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> TRAILER_ECHO =
      Metadata.Key.of("x-tag-trailer", Metadata.ASCII_STRING_MARSHALLER);

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String tag = String.valueOf(headers.get(TAG));
    ServerCall<ReqT, RespT> echoing =
        new SimpleForwardingServerCall<ReqT, RespT>(call) {
          @Override
          public void sendHeaders(Metadata responseHeaders) {
            responseHeaders.put(HEADER_ECHO, tag);
            super.sendHeaders(responseHeaders);
          }

          @Override
          public void close(Status status, Metadata trailers) {
            trailers.put(TRAILER_ECHO, tag);
            super.close(status, trailers);
          }
        };
    ServerCall.Listener<ReqT> delegate = inMdc(tag, () -> next.startCall(echoing, headers));
    return new SimpleForwardingServerCallListener<ReqT>(delegate) {
      @Override
      public void onMessage(ReqT message) {
        inMdc(tag, () -> super.onMessage(message));
      }

      @Override
      public void onHalfClose() {
        inMdc(tag, super::onHalfClose);
      }

      @Override
      public void onCancel() {
        inMdc(tag, super::onCancel);
      }

      @Override
      public void onComplete() {
        inMdc(tag, super::onComplete);
      }
    };
  }

  private static void inMdc(String tag, Runnable body) {
    inMdc(
        tag,
        () -> {
          body.run();
          return null;
        });
  }

  private static <T> T inMdc(String tag, java.util.function.Supplier<T> body) {
    MDC.put("tag", tag);
    try {
      return body.get();
    } finally {
      MDC.remove("tag");
    }
  }
}
