package io.github.grpcmiddleware.internal;

import io.grpc.Context;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import org.jspecify.annotations.Nullable;

/**
 * The owner's call wrapper: the scope's MDC entries around the response path, the {@code
 * x-trace-id} and {@code content-language} echo, the sent-message count and the status the call was
 * closed with. It is the outermost wrapper, so the status it sees is the one every inner part
 * (error mapping included) produced.
 *
 * <p>The application calls a {@code ServerCall} from one thread at a time, so one saved-MDC array
 * serves every method.
 */
final class ScopedServerCall<ReqT, RespT>
    extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
  private final ServerCallScope scope;
  private final @Nullable String[] saved = new String[ServerCallScope.SLOTS];
  private volatile boolean headersSent;

  ScopedServerCall(ServerCall<ReqT, RespT> delegate, ServerCallScope scope) {
    super(delegate);
    this.scope = scope;
  }

  @Override
  public void sendHeaders(Metadata headers) {
    headersSent = true;
    echo(headers);
    String language = scope.contentLanguage;
    if (language != null && !headers.containsKey(ServerCallScope.CONTENT_LANGUAGE)) {
      headers.put(ServerCallScope.CONTENT_LANGUAGE, language);
    }
    scope.putMdc(saved);
    try {
      super.sendHeaders(headers);
    } finally {
      scope.restoreMdc(saved);
    }
  }

  @Override
  @SuppressWarnings("NonAtomicVolatileUpdate") // the application sends from one thread at a time
  public void sendMessage(RespT message) {
    scope.putMdc(saved);
    try {
      super.sendMessage(message);
      scope.sent++;
    } finally {
      scope.restoreMdc(saved);
    }
  }

  @Override
  public void close(Status status, Metadata trailers) {
    if (!headersSent) {
      echo(trailers);
    }
    Context attached = scope.ownContext();
    Context previous = attached == null ? null : attached.attach();
    scope.putMdc(saved);
    try {
      super.close(status, trailers);
      // Only a close that went through reached the caller (grpc-java may have closed the call
      // itself already, and then this one throws).
      if (scope.closeStatus == null) {
        scope.closeStatus = status;
      }
    } finally {
      scope.restoreMdc(saved);
      if (attached != null) {
        attached.detach(previous);
      }
    }
  }

  private void echo(Metadata metadata) {
    String traceId = scope.traceId();
    if (scope.echoTraceId && traceId != null) {
      metadata.discardAll(ServerCallScope.X_TRACE_ID);
      metadata.put(ServerCallScope.X_TRACE_ID, traceId);
    }
  }
}
