package io.github.grpcmiddleware.limits;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.rpc.QuotaFailure;
import io.github.grpcmiddleware.errors.MessageKeys;
import io.github.grpcmiddleware.errors.ServiceException;
import io.github.grpcmiddleware.errors.ServiceExceptionBuilder;
import io.github.grpcmiddleware.internal.HeaderKeys;
import io.github.grpcmiddleware.internal.PipelineCall;
import io.github.grpcmiddleware.internal.ServerPart;
import io.github.grpcmiddleware.internal.StartResult;
import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import java.util.Collections;
import org.jspecify.annotations.Nullable;

/**
 * Rejects a call at start with {@code RESOURCE_EXHAUSTED}: the English text as description, the
 * details ({@code ErrorInfo}, {@code RetryInfo}, {@code QuotaFailure}) in {@code
 * grpc-status-details-bin}, and as cause a {@link ServiceException} with the message key, which
 * error mapping (outside the limits part) re-renders in the caller's language within its trailer
 * budget. Without error mapping the caller gets the English text and the same details.
 *
 * <p>Every {@code RESOURCE_EXHAUSTED} also carries {@code grpc-retry-pushback-ms} (gRFC A6), which
 * error mapping keeps: RetryInfo's delay in whole milliseconds, rounded up (a client's retry policy
 * then waits until the token is there), or {@code -1} ("do not retry") for a call without a
 * required deadline, which would be rejected again. A store that fails closed answers {@code
 * UNAVAILABLE} without pushback: the client's own backoff applies.
 */
final class LimitRejection {

  static final String DOMAIN = "grpcmiddleware";
  static final String CONCURRENCY_TEXT = "Too many requests are in progress. Please retry later.";
  static final String RATE_TEXT = "Too many requests. Please retry later.";
  static final String DEADLINE_TEXT = "This method requires a deadline. Set one on the call.";
  static final String UNAVAILABLE_TEXT =
      "A limit of this service cannot be checked right now. Please retry later.";

  /** The pushback that tells a client not to retry. */
  static final String NO_RETRY = "-1";

  /** Keys are cut to this many characters in QuotaFailure (a key may come from the caller). */
  static final int MAX_SUBJECT = 128;

  private LimitRejection() {}

  /** Rejects the call for a limit that refused it. */
  static StartResult limit(
      PipelineCall<?, ?> call, ServerPart part, LimitRule rule, String key, long retryAfterNanos) {
    boolean rate = rule.type == LimitType.RATE;
    String subject = subject(key);
    ServiceExceptionBuilder builder =
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
    return reject(
        call,
        part,
        Status.Code.RESOURCE_EXHAUSTED,
        new LimitExceededException(builder),
        rate ? RATE_TEXT : CONCURRENCY_TEXT,
        pushbackMillis(retryAfterNanos));
  }

  /** Rejects a call that came without a deadline to a method that requires one. */
  static StartResult deadlineRequired(PipelineCall<?, ?> call, ServerPart part) {
    ServiceExceptionBuilder builder =
        ServiceException.builder(Status.Code.RESOURCE_EXHAUSTED, MessageKeys.DEADLINE_REQUIRED)
            .defaultMessage(DEADLINE_TEXT)
            .errorInfo(
                LimitType.DEADLINE_REQUIRED.reason(),
                DOMAIN,
                Collections.singletonMap("method", call.getMethodDescriptor().getFullMethodName()));
    return reject(
        call,
        part,
        Status.Code.RESOURCE_EXHAUSTED,
        new LimitExceededException(builder),
        DEADLINE_TEXT,
        NO_RETRY);
  }

  /**
   * Rejects a call that an asynchronous limit failing closed could not decide, with {@code
   * UNAVAILABLE} and an {@code ErrorInfo} of reason {@code LIMIT_UNAVAILABLE} naming the limit (no
   * QuotaFailure, no RetryInfo: the caller is not over a quota).
   */
  static StartResult unavailable(PipelineCall<?, ?> call, ServerPart part, LimitRule rule) {
    ServiceExceptionBuilder builder =
        ServiceException.builder(Status.Code.UNAVAILABLE, MessageKeys.LIMIT_UNAVAILABLE)
            .defaultMessage(UNAVAILABLE_TEXT)
            .errorInfo(
                LimitType.UNAVAILABLE.reason(),
                DOMAIN,
                Collections.singletonMap("limit", rule.name));
    return reject(
        call,
        part,
        Status.Code.UNAVAILABLE,
        new LimitUnavailableException(builder),
        UNAVAILABLE_TEXT,
        null);
  }

  /**
   * RetryInfo's delay for {@code grpc-retry-pushback-ms}: whole milliseconds, rounded up, at most
   * 2^31-1.
   */
  static String pushbackMillis(long retryAfterNanos) {
    long millis = retryAfterNanos / 1_000_000 + (retryAfterNanos % 1_000_000 == 0 ? 0 : 1);
    // grpc-java and grpc-go parse it as a 32-bit int; a larger value would read as "do not retry".
    return Long.toString(Math.min(millis, Integer.MAX_VALUE));
  }

  private static StartResult reject(
      PipelineCall<?, ?> call,
      ServerPart part,
      Status.Code code,
      ServiceException cause,
      String text,
      @Nullable String pushback) {
    com.google.rpc.Status.Builder details =
        com.google.rpc.Status.newBuilder().setCode(code.value()).setMessage(text);
    for (Message detail : cause.getDetails()) {
      details.addDetails(Any.pack(detail));
    }
    Metadata trailers = new Metadata();
    trailers.put(HeaderKeys.STATUS_DETAILS, details.build());
    if (pushback != null) {
      trailers.put(HeaderKeys.RETRY_PUSHBACK_MS, pushback);
    }
    return call.reject(
        part, Status.fromCode(code).withDescription(text).withCause(cause), trailers);
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
