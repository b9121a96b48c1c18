package io.github.grpcmiddleware.limits;

import io.github.grpcmiddleware.errors.ServiceException;
import io.github.grpcmiddleware.errors.ServiceExceptionBuilder;

/**
 * The cause of a call the limits part rejected: error mapping renders it in the caller's language,
 * and the access log names its class in {@code error=}. Never thrown to the application.
 */
final class LimitExceededException extends ServiceException {
  private static final long serialVersionUID = 1L;

  LimitExceededException(ServiceExceptionBuilder builder) {
    super(builder);
  }
}
