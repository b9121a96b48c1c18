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
 * <p>Most responses are sent from inside a listener callback (a unary handler runs in {@code
 * onHalfClose}), where the scope's bracket already holds the entries and the Context: then the
 * wrapper only forwards. Sent from elsewhere (an application thread), it puts the entries itself,
 * into a saved-MDC array made on first need; the application calls a {@code ServerCall} from one
 * thread at a time, so one array serves every method.
 */
final class ScopedServerCall<ReqT, RespT>
    extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
  private final ServerCallScope scope;
  private @Nullable String @Nullable [] saved;
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
    if (scope.inBracket()) {
      super.sendHeaders(headers);
      return;
    }
    @Nullable String[] entries = saved();
    scope.putMdc(entries);
    try {
      super.sendHeaders(headers);
    } finally {
      scope.restoreMdc(entries);
    }
  }

  @Override
  @SuppressWarnings("NonAtomicVolatileUpdate") // the application sends from one thread at a time
  public void sendMessage(RespT message) {
    if (scope.inBracket()) {
      super.sendMessage(message);
      scope.sent++;
      return;
    }
    @Nullable String[] entries = saved();
    scope.putMdc(entries);
    try {
      super.sendMessage(message);
      scope.sent++;
    } finally {
      scope.restoreMdc(entries);
    }
  }

  @Override
  public void close(Status status, Metadata trailers) {
    if (!headersSent) {
      echo(trailers);
    }
    if (scope.inBracket()) {
      closeAndRecord(status, trailers);
      return;
    }
    Context attached = scope.ownContext();
    Context previous = attached == null ? null : attached.attach();
    @Nullable String[] entries = saved();
    scope.putMdc(entries);
    try {
      closeAndRecord(status, trailers);
    } finally {
      scope.restoreMdc(entries);
      if (attached != null) {
        attached.detach(previous);
      }
    }
  }

  private void closeAndRecord(Status status, Metadata trailers) {
    // Recorded before closing: the listener's onComplete, which reads it, may run inside
    // super.close (in-process, directExecutor) or on another thread before super.close returns.
    boolean first = scope.closeStatus == null;
    if (first) {
      scope.closeStatus = status;
    }
    try {
      super.close(status, trailers);
    } catch (RuntimeException | Error e) {
      // This close did not reach the caller (grpc-java had closed the call itself already).
      if (first) {
        scope.closeStatus = null;
      }
      throw e;
    }
  }

  private @Nullable String[] saved() {
    @Nullable String[] entries = saved;
    if (entries == null) {
      entries = new String[ServerCallScope.SLOTS];
      saved = entries;
    }
    return entries;
  }

  private void echo(Metadata metadata) {
    String traceId = scope.traceId();
    if (scope.echoTraceId && traceId != null) {
      metadata.discardAll(ServerCallScope.X_TRACE_ID);
      metadata.put(ServerCallScope.X_TRACE_ID, traceId);
    }
  }
}
