package io.github.grpcmiddleware.trace;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.Objects;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;

/** Records the request headers of every call, newest last. */
final class HeaderCapture implements ServerInterceptor {
  final BlockingDeque<Metadata> headers = new LinkedBlockingDeque<>();

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata requestHeaders, ServerCallHandler<ReqT, RespT> next) {
    headers.add(requestHeaders);
    return next.startCall(call, requestHeaders);
  }

  Metadata last() {
    return Objects.requireNonNull(headers.peekLast(), "no call recorded");
  }
}
