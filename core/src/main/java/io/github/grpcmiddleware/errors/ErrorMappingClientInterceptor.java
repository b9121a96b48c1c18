package io.github.grpcmiddleware.errors;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs failed calls with the server's trace id; built by {@link
 * ErrorMapping#newClientInterceptor()}.
 *
 * <p>This class is thread-safe.
 */
final class ErrorMappingClientInterceptor implements ClientInterceptor {

  private static final Logger logger = LoggerFactory.getLogger(ErrorReport.class);

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    String name = method.getFullMethodName();
    return new ForwardingClientCall.SimpleForwardingClientCall<ReqT, RespT>(
        next.newCall(method, callOptions)) {
      @Override
      public void start(Listener<RespT> responseListener, Metadata headers) {
        super.start(
            new ForwardingClientCallListener.SimpleForwardingClientCallListener<RespT>(
                responseListener) {
              @Override
              public void onClose(Status status, Metadata trailers) {
                log(name, status, trailers);
                super.onClose(status, trailers);
              }
            },
            headers);
      }
    };
  }

  private static void log(String method, Status status, Metadata trailers) {
    Status.Code code = status.getCode();
    if (code == Status.Code.OK) {
      return;
    }
    boolean serverFault =
        code == Status.Code.INTERNAL
            || code == Status.Code.UNKNOWN
            || code == Status.Code.DATA_LOSS;
    if (serverFault ? !logger.isWarnEnabled() : !logger.isDebugEnabled()) {
      return;
    }
    try {
      ErrorReport report = ErrorReport.of(status, trailers);
      if (serverFault) {
        logger.warn("{} failed: {}", method, report);
      } else {
        logger.debug("{} failed: {}", method, report);
      }
    } catch (RuntimeException e) {
      logger.debug("could not log a failed call", e);
    }
  }
}
