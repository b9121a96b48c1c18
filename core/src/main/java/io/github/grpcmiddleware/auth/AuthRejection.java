package io.github.grpcmiddleware.auth;

import io.github.grpcmiddleware.errors.MessageKeys;
import io.grpc.Status;

/**
 * Why auth refused a call: the status code, the message key for localization and the English text.
 * The one place where a rejection's {@link Status} is built.
 */
enum AuthRejection {
  MISSING(
      Status.Code.UNAUTHENTICATED,
      MessageKeys.AUTH_MISSING,
      "Authentication required: the call carries no credentials."),
  MALFORMED(
      Status.Code.UNAUTHENTICATED,
      MessageKeys.AUTH_MALFORMED,
      "Authentication failed: the credentials are malformed."),
  INVALID(
      Status.Code.UNAUTHENTICATED,
      MessageKeys.AUTH_INVALID,
      "Authentication failed: the credentials are not valid."),
  DENIED(
      Status.Code.PERMISSION_DENIED,
      MessageKeys.AUTH_DENIED,
      "Permission denied: the caller may not call this method."),
  INSECURE(
      Status.Code.UNAUTHENTICATED,
      MessageKeys.AUTH_INSECURE,
      "Authentication refused: the connection has no transport security."),
  UNAVAILABLE(
      Status.Code.UNAVAILABLE,
      MessageKeys.AUTH_UNAVAILABLE,
      "Authentication unavailable: the identity provider cannot be reached; try again later.");

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
   * Builds the rejection status. Error mapping (outside auth) re-renders a close whose cause is a
   * {@code ServiceException} in the caller's language; until that type exists the description is
   * the English text.
   */
  private static Status buildStatus(Status.Code code, String messageKey, String englishText) {
    return Status.fromCode(code).withDescription(englishText);
  }
}
