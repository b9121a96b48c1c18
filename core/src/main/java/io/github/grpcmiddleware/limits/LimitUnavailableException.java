package io.github.grpcmiddleware.limits;

import io.github.grpcmiddleware.errors.ServiceException;
import io.github.grpcmiddleware.errors.ServiceExceptionBuilder;

/**
 * The cause of a call that an asynchronous limit failing closed could not decide: error mapping
 * renders it in the caller's language, and the access log names its class in {@code error=}. Never
 * thrown to the application.
 */
final class LimitUnavailableException extends ServiceException {
  private static final long serialVersionUID = 1L;

  LimitUnavailableException(ServiceExceptionBuilder builder) {
    super(builder);
  }
}
