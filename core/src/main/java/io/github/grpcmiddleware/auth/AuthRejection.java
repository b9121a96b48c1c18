package io.github.grpcmiddleware.auth;

import io.github.grpcmiddleware.errors.MessageKeys;
import io.github.grpcmiddleware.errors.ServiceException;
import io.grpc.Status;

/**
 * Why auth refused a call: the status code, the message key for localization and the English text.
 * The one place where a rejection's {@link Status} is built.
 */
enum AuthRejection {
  MISSING(Status.Code.UNAUTHENTICATED, MessageKeys.AUTH_MISSING, "Authentication is required."),
  MALFORMED(
      Status.Code.UNAUTHENTICATED, MessageKeys.AUTH_MALFORMED, "The credentials are malformed."),
  INVALID(
      Status.Code.UNAUTHENTICATED,
      MessageKeys.AUTH_INVALID,
      "The credentials are invalid or expired."),
  DENIED(
      Status.Code.PERMISSION_DENIED,
      MessageKeys.AUTH_DENIED,
      "You are not allowed to call this method."),
  INSECURE(
      Status.Code.UNAUTHENTICATED,
      MessageKeys.AUTH_INSECURE,
      "Credentials must be sent over a secure connection."),
  UNAVAILABLE(
      Status.Code.UNAVAILABLE,
      MessageKeys.AUTH_UNAVAILABLE,
      "Authentication is temporarily unavailable. Please retry later.");

  private final Status.Code code;
  private final String messageKey;
  private final String englishText;
  private final Status status;

  AuthRejection(Status.Code code, String messageKey, String englishText) {
    this.code = code;
    this.messageKey = messageKey;
    this.englishText = englishText;
    this.status = buildStatus(code, messageKey, englishText);
  }

  Status.Code code() {
    return code;
  }

  String messageKey() {
    return messageKey;
  }

  String englishText() {
    return englishText;
  }

  /** The status a rejected call is closed with; immutable and shared by all calls. */
  Status status() {
    return status;
  }

  /**
   * Builds the rejection status: the English text as description, and as cause a {@link
   * ServiceException} with the message key, which error mapping (outside auth) re-renders in the
   * caller's language. Built once per reason and shared: rejections cost no allocation.
   */
  private static Status buildStatus(Status.Code code, String messageKey, String englishText) {
    ServiceException cause =
        ServiceException.builder(code, messageKey).defaultMessage(englishText).build();
    return Status.fromCode(code).withDescription(englishText).withCause(cause);
  }
}
