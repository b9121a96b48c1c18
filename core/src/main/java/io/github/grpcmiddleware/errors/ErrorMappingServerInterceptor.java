package io.github.grpcmiddleware.errors;

import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.internal.ServerPart;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders what reaches the caller: every close on its way out ({@link #onClose}: a {@link
 * ServiceException} cause localized, a dependency's status translated, anything else passed through
 * within the trailer budget) and every failure of a callback inside it ({@link #onFailure}: mapped
 * by the registry, unknown ones INTERNAL with the trace id). The call pipeline closes the call once
 * with the result; built by {@link ErrorMappingServerBuilder#build()}.
 *
 * <p>Nothing here uses {@code Context.current()} or the thread's MDC as such: the call's Context
 * and MDC come from the call's record, which the pipeline puts around every hook. This class is
 * thread-safe.
 */
final class ErrorMappingServerInterceptor extends ServerPart {

  private static final Logger logger = LoggerFactory.getLogger(ErrorMapping.class);

  private final ErrorRenderer renderer;

  ErrorMappingServerInterceptor(ErrorRenderer renderer) {
    super(ERROR_MAPPING, ON_CLOSE | ON_FAILURE, "errorMapping", "ErrorMapping");
    this.renderer = renderer;
  }

  @Override
  public Status onClose(ServerCallScope scope, Status status, Metadata trailers) {
    Throwable cause = status.getCause();
    if (cause instanceof ServiceException) {
      Status sent = renderer.render((ServiceException) cause, scope.context(), trailers);
      log(scope, cause, sent.getCode());
      return sent.withCause(cause);
    }
    if (status.getCode() == Status.Code.UNKNOWN && cause != null) {
      return onFailure(scope, cause, trailers);
    }
    if (status.getCode() != Status.Code.OK && renderer.isTranslated(status.getCode())) {
      logTranslated(scope, status);
      return renderer.renderInternal(scope.context(), clear(trailers)).withCause(cause);
    }
    return renderer.passThrough(status, trailers);
  }

  /** Maps a failure; logs it (ERROR for server faults, DEBUG for the caller's). */
  @Override
  public Status onFailure(ServerCallScope scope, Throwable failure, Metadata trailers) {
    Context context = scope.context();
    Throwable mapped;
    try {
      mapped = renderer.map(failure);
    } catch (RuntimeException mapperFailure) {
      failure.addSuppressed(mapperFailure);
      log(scope, failure, Status.Code.INTERNAL);
      return renderer.renderInternal(context, trailers).withCause(failure);
    }
    Status sent;
    if (mapped instanceof ServiceException) {
      sent = renderer.render((ServiceException) mapped, context, trailers);
    } else if (mapped != null) {
      Status status = ErrorRenderer.statusOf(mapped);
      if (renderer.isTranslated(status.getCode())) {
        sent = renderer.renderInternal(context, trailers);
      } else {
        Metadata own = ErrorRenderer.trailersOf(mapped);
        if (own != null) {
          trailers.merge(own);
        }
        sent = renderer.passThrough(status.withCause(null), trailers);
      }
    } else {
      sent = renderer.renderInternal(context, trailers);
    }
    log(scope, failure, sent.getCode());
    return sent.withCause(failure);
  }

  @Override
  public void onFailureAfterClose(ServerCallScope scope, Throwable failure) {
    if (scope.mappedException() != null) {
      logger.debug("another failure after the call was closed", failure);
    } else {
      log(scope, failure, Status.Code.INTERNAL);
    }
  }

  /** Logs a failure once (ERROR for server faults, DEBUG for the caller's); never throws. */
  private static void log(ServerCallScope scope, Throwable failure, Status.Code sent) {
    try {
      scope.setMappedException(failure);
      boolean serverFault =
          sent == Status.Code.INTERNAL
              || sent == Status.Code.UNKNOWN
              || sent == Status.Code.DATA_LOSS;
      if (serverFault) {
        logger.error(
            "{} failed with {} ({})",
            scope.fullMethodName(),
            sent,
            ErrorRenderer.traceIdText(scope.traceId()),
            failure);
      } else if (logger.isDebugEnabled()) {
        logger.debug(
            "{} failed with {} ({})",
            scope.fullMethodName(),
            sent,
            ErrorRenderer.traceIdText(scope.traceId()),
            failure);
      }
    } catch (RuntimeException e) {
      // A broken appender: the call is still closed, with the status it was going to get.
      failure.addSuppressed(e);
    }
  }

  private void logTranslated(ServerCallScope scope, Status status) {
    try {
      logger.error(
          "{} closed with a dependency's {} ({}), sent as INTERNAL ({})",
          scope.fullMethodName(),
          status.getCode(),
          status.getDescription(),
          ErrorRenderer.traceIdText(scope.traceId()),
          status.getCause());
    } catch (RuntimeException e) {
      logger.debug("logging a translated status failed", e);
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

  @Override
  public String toString() {
    return "ErrorMapping";
  }
}
