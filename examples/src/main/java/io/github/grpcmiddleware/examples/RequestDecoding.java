package io.github.grpcmiddleware.examples;

import io.github.grpcmiddleware.errors.ServiceException;
import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.InputStream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the decoding of request messages from grpc-java's transport into the interceptor chain.
 *
 * <p>grpc-java parses a request before any interceptor sees it; when the bytes do not decode, it
 * closes the call itself and logs a SEVERE "Exception while executing runnable" with a stack trace
 * of about 3 KB, without the trace id, for every such request (the method may be public). Wrapped
 * by {@link #decodeInsideTheChain}, the transport hands the raw stream to the chain and the request
 * is parsed inside it: a failure is logged here as one WARN line (the trace id is in the MDC) and
 * becomes a {@link ServiceException} that error mapping sends as {@code INVALID_ARGUMENT}.
 */
final class RequestDecoding {
  private static final Logger logger = LoggerFactory.getLogger(RequestDecoding.class);

  private static final MethodDescriptor.Marshaller<InputStream> RAW =
      new MethodDescriptor.Marshaller<InputStream>() {
        @Override
        public InputStream stream(InputStream value) {
          return value;
        }

        @Override
        public InputStream parse(InputStream stream) {
          return stream;
        }
      };

  private RequestDecoding() {}

  /** The same service, with its requests decoded inside the interceptor chain. */
  static ServerServiceDefinition decodeInsideTheChain(ServerServiceDefinition service) {
    ServerServiceDefinition.Builder wrapped =
        ServerServiceDefinition.builder(service.getServiceDescriptor().getName());
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      wrapped.addMethod(wrap(method));
    }
    return wrapped.build();
  }

  private static <ReqT, RespT> ServerMethodDefinition<InputStream, RespT> wrap(
      ServerMethodDefinition<ReqT, RespT> definition) {
    MethodDescriptor<ReqT, RespT> original = definition.getMethodDescriptor();
    MethodDescriptor<InputStream, RespT> raw =
        original.toBuilder(RAW, original.getResponseMarshaller()).build();
    ServerCallHandler<ReqT, RespT> handler = definition.getServerCallHandler();
    return ServerMethodDefinition.create(
        raw,
        (call, headers) -> {
          ServerCall.Listener<ReqT> listener =
              handler.startCall(new TypedCall<>(call, original), headers);
          return new DecodingListener<>(listener, original);
        });
  }

  /** Parses each raw request with the method's own marshaller before the service sees it. */
  private static final class DecodingListener<ReqT> extends ServerCall.Listener<InputStream> {
    private final ServerCall.Listener<ReqT> delegate;
    private final MethodDescriptor<ReqT, ?> method;

    DecodingListener(ServerCall.Listener<ReqT> delegate, MethodDescriptor<ReqT, ?> method) {
      this.delegate = delegate;
      this.method = method;
    }

    @Override
    public void onMessage(InputStream message) {
      ReqT request;
      try {
        request = method.parseRequest(message);
      } catch (RuntimeException e) {
        Throwable statusCause = Status.fromThrowable(e).getCause();
        Throwable cause = statusCause != null ? statusCause : e;
        String reason = LogText.escape(String.valueOf(cause.getMessage()));
        logger.warn(
            "{}: request could not be decoded ({}: {})",
            method.getFullMethodName(),
            cause.getClass().getSimpleName(),
            reason);
        throw ServiceException.builder(Status.Code.INVALID_ARGUMENT, "example.request.undecodable")
            .defaultMessage("The request message could not be decoded.")
            .cause(e)
            .build();
      }
      delegate.onMessage(request);
    }

    @Override
    public void onHalfClose() {
      delegate.onHalfClose();
    }

    @Override
    public void onCancel() {
      delegate.onCancel();
    }

    @Override
    public void onComplete() {
      delegate.onComplete();
    }

    @Override
    public void onReady() {
      delegate.onReady();
    }
  }

  /** The chain's raw call, seen by the service with its typed method descriptor. */
  private static final class TypedCall<ReqT, RespT> extends ServerCall<ReqT, RespT> {
    private final ServerCall<InputStream, RespT> delegate;
    private final MethodDescriptor<ReqT, RespT> method;

    TypedCall(ServerCall<InputStream, RespT> delegate, MethodDescriptor<ReqT, RespT> method) {
      this.delegate = delegate;
      this.method = method;
    }

    @Override
    public void request(int numMessages) {
      delegate.request(numMessages);
    }

    @Override
    public void sendHeaders(Metadata headers) {
      delegate.sendHeaders(headers);
    }

    @Override
    public void sendMessage(RespT message) {
      delegate.sendMessage(message);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      delegate.close(status, trailers);
    }

    @Override
    public boolean isCancelled() {
      return delegate.isCancelled();
    }

    @Override
    public boolean isReady() {
      return delegate.isReady();
    }

    @Override
    public void setOnReadyThreshold(int numBytes) {
      delegate.setOnReadyThreshold(numBytes);
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      delegate.setMessageCompression(enabled);
    }

    @Override
    public void setCompression(String compressor) {
      delegate.setCompression(compressor);
    }

    @Override
    public Attributes getAttributes() {
      return delegate.getAttributes();
    }

    @Override
    public @Nullable String getAuthority() {
      return delegate.getAuthority();
    }

    @Override
    public SecurityLevel getSecurityLevel() {
      return delegate.getSecurityLevel();
    }

    @Override
    public MethodDescriptor<ReqT, RespT> getMethodDescriptor() {
      return method;
    }
  }
}
