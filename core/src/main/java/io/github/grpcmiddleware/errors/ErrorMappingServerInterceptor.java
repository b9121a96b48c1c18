package io.github.grpcmiddleware.errors;

import io.github.grpcmiddleware.internal.ChainPart;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Wraps each call in an {@link ErrorMappingServerCall} and its listener in an {@link
 * ErrorMappingServerCallListener}; built by {@link ErrorMappingServerBuilder#build()}.
 *
 * <p>This class is thread-safe.
 */
final class ErrorMappingServerInterceptor implements ServerInterceptor, ChainPart {

  private final ErrorRenderer renderer;

  ErrorMappingServerInterceptor(ErrorRenderer renderer) {
    this.renderer = renderer;
  }

  @Override
  public String chainSlot() {
    return "errorMapping";
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    ErrorMappingServerCall<ReqT, RespT> wrapped =
        new ErrorMappingServerCall<>(call, renderer, Context.current());
    ServerCall.Listener<ReqT> listener;
    try {
      listener = next.startCall(wrapped, headers);
    } catch (Throwable t) {
      wrapped.fail(t);
      ErrorMappingServerCallListener.rethrowIfError(t);
      return new ServerCall.Listener<ReqT>() {};
    }
    return new ErrorMappingServerCallListener<>(listener, wrapped);
  }

  @Override
  public String toString() {
    return "ErrorMapping";
  }
}
