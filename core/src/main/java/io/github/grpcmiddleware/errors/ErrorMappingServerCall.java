package io.github.grpcmiddleware.errors;

import io.github.grpcmiddleware.internal.GuardedServerCall;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.trace.MdcScope;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-call state of error mapping: renders a failure or a {@code close} into the status sent to
 * the caller and closes the call exactly once.
 *
 * <p>The methods that change the delegate ({@code sendHeaders}, {@code sendMessage}, {@code
 * request}, {@code close}) are serialized on the call ({@link GuardedServerCall}), because a
 * failure caught in a listener callback may close the call while the handler sends from its own
 * thread; after such a failure the handler's sends are dropped. Nothing here uses {@code
 * Context.current()} or the MDC of the closing thread: the call's Context is captured when the call
 * starts.
 *
 * <p>This class is thread-safe.
 */
final class ErrorMappingServerCall<ReqT, RespT> extends GuardedServerCall<ReqT, RespT> {

  private static final Logger logger = LoggerFactory.getLogger(ErrorMapping.class);

  /** Sent when rendering itself fails; built once so that it needs no allocation then. */
  private static final Status FALLBACK = Status.INTERNAL.withDescription("Internal error.");

  private final ErrorRenderer renderer;
  private final Context callContext;
  private boolean errorLogged;

  ErrorMappingServerCall(
      ServerCall<ReqT, RespT> delegate, ErrorRenderer renderer, Context callContext) {
    super(delegate);
    this.renderer = renderer;
    this.callContext = callContext;
  }

  /** Whether the call was closed because of a failure caught here. */
  boolean failed() {
    return isClosedByPart();
  }

  /** Renders the handler's close; the first close only (a later one never reached the caller). */
  @Override
  protected void closeForHandler(Status status, Metadata trailers) {
    Status sent;
    try {
      sent = renderClose(status, trailers);
    } catch (Throwable t) {
      closeDelegate(FALLBACK, new Metadata());
      safeLog(t, Status.Code.INTERNAL);
      ErrorMappingServerCallListener.rethrowIfError(t);
      return;
    }
    super.closeForHandler(sent, trailers);
  }

  /** Fails the call with {@code failure} unless it is closed already; never throws. */
  void fail(Throwable failure) {
    synchronized (this) {
      if (!markClosedByPart()) {
        logAfterClose(failure);
        return;
      }
      Metadata trailers = new Metadata();
      Status status = FALLBACK;
      try {
        status = renderFailure(failure, trailers);
      } catch (Throwable t) {
        trailers = new Metadata();
        status = FALLBACK;
        if (t != failure) {
          failure.addSuppressed(t);
        }
        safeLog(failure, Status.Code.INTERNAL);
      } finally {
        // Whatever rendering or logging did (a broken appender, an OutOfMemoryError), the call is
        // closed: a failed call never waits for its deadline.
        closeDelegate(status, trailers);
      }
    }
  }

  private Status renderClose(Status status, Metadata trailers) {
    Throwable cause = status.getCause();
    if (cause instanceof ServiceException) {
      Status sent = renderer.render((ServiceException) cause, callContext, trailers);
      safeLog(cause, sent.getCode());
      return sent.withCause(cause);
    }
    if (status.getCode() == Status.Code.UNKNOWN && cause != null) {
      return renderFailure(cause, trailers);
    }
    if (status.getCode() != Status.Code.OK && renderer.isTranslated(status.getCode())) {
      logTranslated(status);
      return renderer.renderInternal(callContext, clear(trailers)).withCause(cause);
    }
    return renderer.passThrough(status, trailers);
  }

  /** Maps a failure; logs it (ERROR for server faults, DEBUG for the caller's). */
  private Status renderFailure(Throwable failure, Metadata trailers) {
    Throwable mapped;
    try {
      mapped = renderer.map(failure);
    } catch (RuntimeException mapperFailure) {
      failure.addSuppressed(mapperFailure);
      safeLog(failure, Status.Code.INTERNAL);
      return renderer.renderInternal(callContext, trailers).withCause(failure);
    }
    Status sent;
    if (mapped instanceof ServiceException) {
      sent = renderer.render((ServiceException) mapped, callContext, trailers);
    } else if (mapped != null) {
      Status status = ErrorRenderer.statusOf(mapped);
      if (renderer.isTranslated(status.getCode())) {
        sent = renderer.renderInternal(callContext, trailers);
      } else {
        Metadata own = ErrorRenderer.trailersOf(mapped);
        if (own != null) {
          trailers.merge(own);
        }
        sent = renderer.passThrough(status.withCause(null), trailers);
      }
    } else {
      sent = renderer.renderInternal(callContext, trailers);
    }
    safeLog(failure, sent.getCode());
    return sent.withCause(failure);
  }

  /** {@link #log}, except that a failure to log (a broken appender) is only swallowed. */
  private void safeLog(Throwable failure, Status.Code sent) {
    try {
      log(failure, sent);
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  private void log(Throwable failure, Status.Code sent) {
    ServerCallScope call = ServerCallScope.fromContext(callContext);
    if (call != null) {
      call.setMappedException(failure);
    }
    boolean serverFault =
        sent == Status.Code.INTERNAL
            || sent == Status.Code.UNKNOWN
            || sent == Status.Code.DATA_LOSS;
    if (serverFault ? !logger.isErrorEnabled() : !logger.isDebugEnabled()) {
      return;
    }
    try (MdcScope scope = TraceIds.mdcScope(callContext)) {
      String method = getMethodDescriptor().getFullMethodName();
      if (serverFault) {
        errorLogged = true;
        logger.error("{} failed with {} ({})", method, sent, traceText(), failure);
      } else {
        logger.debug("{} failed with {} ({})", method, sent, traceText(), failure);
      }
    }
  }

  /** Names the call's trace id in words, or says there is none (no trace part installed). */
  private String traceText() {
    return ErrorRenderer.traceIdText(TraceIds.fromContext(callContext));
  }

  private void logAfterClose(Throwable failure) {
    if (errorLogged) {
      logger.debug("another failure after the call was closed", failure);
    } else {
      safeLog(failure, Status.Code.INTERNAL);
    }
  }

  private void logTranslated(Status status) {
    if (logger.isErrorEnabled()) {
      try (MdcScope scope = TraceIds.mdcScope(callContext)) {
        errorLogged = true;
        logger.error(
            "{} closed with a dependency's {} ({}), sent as INTERNAL ({})",
            getMethodDescriptor().getFullMethodName(),
            status.getCode(),
            status.getDescription(),
            traceText(),
            status.getCause());
      }
    }
  }

  private static Metadata clear(Metadata trailers) {
    for (String key : trailers.keys()) {
      if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        trailers.discardAll(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER));
      } else {
        trailers.discardAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
      }
    }
    return trailers;
  }
}
