package io.github.grpcmiddleware.limits;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.rpc.QuotaFailure;
import io.github.grpcmiddleware.errors.MessageKeys;
import io.github.grpcmiddleware.errors.ServiceException;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import java.time.Duration;
import java.util.Collections;

/**
 * Closes a rejected call with {@code RESOURCE_EXHAUSTED}: the English text as description, the
 * details ({@code ErrorInfo}, {@code RetryInfo}, {@code QuotaFailure}) in {@code
 * grpc-status-details-bin}, and as cause a {@link ServiceException} with the message key, which
 * error mapping (outside the limits part) re-renders in the caller's language within its trailer
 * budget. Without error mapping the caller gets the English text and the same details.
 */
final class LimitRejection {

  static final String DOMAIN = "grpcmiddleware";
  static final String CONCURRENCY_TEXT = "Too many requests are in progress. Please retry later.";
  static final String RATE_TEXT = "Too many requests. Please retry later.";
  static final String DEADLINE_TEXT = "This method requires a deadline. Set one on the call.";

  /** Keys are cut to this many characters in QuotaFailure (a key may come from the caller). */
  static final int MAX_SUBJECT = 128;

  private static final Metadata.Key<com.google.rpc.Status> DETAILS_KEY =
      Metadata.Key.of(
          "grpc-status-details-bin",
          ProtoUtils.metadataMarshaller(com.google.rpc.Status.getDefaultInstance()));

  private LimitRejection() {}

  /** Closes the call for a limit that rejected it. */
  static void limit(ServerCall<?, ?> call, LimitRule rule, String key, long retryAfterNanos) {
    boolean rate = rule.type == LimitType.RATE;
    String subject = subject(key);
    ServiceException.Builder builder =
        ServiceException.builder(
                Status.Code.RESOURCE_EXHAUSTED,
                rate ? MessageKeys.LIMIT_RATE : MessageKeys.LIMIT_CONCURRENCY)
            .defaultMessage(rate ? RATE_TEXT : CONCURRENCY_TEXT)
            .errorInfo(rule.type.reason(), DOMAIN, Collections.singletonMap("limit", rule.name))
            .retryDelay(Duration.ofNanos(retryAfterNanos))
            .detail(
                QuotaFailure.newBuilder()
                    .addViolations(
                        QuotaFailure.Violation.newBuilder()
                            .setSubject(subject)
                            .setDescription(rule.description))
                    .build());
    close(call, new LimitExceededException(builder), rate ? RATE_TEXT : CONCURRENCY_TEXT);
  }

  /** Closes a call that came without a deadline to a method that requires one. */
  static void deadlineRequired(ServerCall<?, ?> call) {
    ServiceException.Builder builder =
        ServiceException.builder(Status.Code.RESOURCE_EXHAUSTED, MessageKeys.DEADLINE_REQUIRED)
            .defaultMessage(DEADLINE_TEXT)
            .errorInfo(
                LimitType.DEADLINE_REQUIRED.reason(),
                DOMAIN,
                Collections.singletonMap("method", call.getMethodDescriptor().getFullMethodName()));
    close(call, new LimitExceededException(builder), DEADLINE_TEXT);
  }

  private static void close(ServerCall<?, ?> call, ServiceException cause, String text) {
    com.google.rpc.Status.Builder details =
        com.google.rpc.Status.newBuilder()
            .setCode(Status.Code.RESOURCE_EXHAUSTED.value())
            .setMessage(text);
    for (Message detail : cause.getDetails()) {
      details.addDetails(Any.pack(detail));
    }
    Metadata trailers = new Metadata();
    trailers.put(DETAILS_KEY, details.build());
    call.close(Status.RESOURCE_EXHAUSTED.withDescription(text).withCause(cause), trailers);
  }

  private static String subject(String key) {
    if (key.length() <= MAX_SUBJECT) {
      return key;
    }
    int end = MAX_SUBJECT;
    if (Character.isHighSurrogate(key.charAt(end - 1))) {
      end--;
    }
    return key.substring(0, end);
  }
}
