package io.github.grpcmiddleware.testing;

import com.google.protobuf.Message;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.LocalizedMessage;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Assertions on a gRPC status, its trailers and the {@code google.rpc} details decoded from {@code
 * grpc-status-details-bin}, chained like a sentence. Obtained from {@link GrpcAssertions}.
 *
 * <p>Each method throws an {@link AssertionError} whose message says what was expected and then
 * prints the whole status: code, description, every decoded detail and every trailer. Details are
 * decoded with grpc-protobuf; ErrorInfo, LocalizedMessage, BadRequest, RetryInfo,
 * PreconditionFailure, ResourceInfo, QuotaFailure, DebugInfo, Help and RequestInfo are recognised.
 *
 * <p>This class is immutable and thread-safe.
 */
public final class StatusAssert {
  private final StatusReport report;

  StatusAssert(Status status, @Nullable Metadata trailers) {
    this.report = new StatusReport(status, trailers);
  }

  /**
   * Asserts the status code.
   *
   * @param code the expected code; not null
   * @return this
   */
  public StatusAssert hasCode(Status.Code code) {
    Objects.requireNonNull(code, "code");
    if (report.status.getCode() != code) {
      throw report.failure("code " + code);
    }
    return this;
  }

  /**
   * Asserts the exact description.
   *
   * @param description the expected description; not null
   * @return this
   */
  public StatusAssert withDescription(String description) {
    Objects.requireNonNull(description, "description");
    if (!description.equals(report.status.getDescription())) {
      throw report.failure("description \"" + description + "\"");
    }
    return this;
  }

  /**
   * Asserts that the description contains a text.
   *
   * @param text the expected text; not null
   * @return this
   */
  public StatusAssert withDescriptionContaining(String text) {
    Objects.requireNonNull(text, "text");
    String description = report.status.getDescription();
    if (description == null || !description.contains(text)) {
      throw report.failure("a description containing \"" + text + "\"");
    }
    return this;
  }

  /**
   * Asserts that neither the description nor any decoded detail nor any ASCII trailer contains a
   * text; use it to prove that an exception's message or a credential did not reach the client.
   *
   * @param text the text that must not appear; not null, not empty
   * @return this
   */
  public StatusAssert withoutTextAnywhere(String text) {
    Objects.requireNonNull(text, "text");
    if (text.isEmpty()) {
      throw new IllegalArgumentException("text: \"\" (expected: not empty)");
    }
    if (report.visibleText().contains(text)) {
      throw report.failure("no \"" + text + "\" in the description, details or trailers");
    }
    return this;
  }

  /**
   * Asserts a {@code google.rpc.LocalizedMessage} detail in a locale with exactly a message.
   *
   * @param locale the BCP 47 tag, compared case-insensitively, for example {@code "zh-CN"}; not
   *     null
   * @param message the expected message; not null
   * @return this
   */
  public StatusAssert withLocalizedMessage(String locale, String message) {
    Objects.requireNonNull(locale, "locale");
    Objects.requireNonNull(message, "message");
    for (LocalizedMessage detail : report.detailsOf(LocalizedMessage.class)) {
      if (detail.getLocale().equalsIgnoreCase(locale) && detail.getMessage().equals(message)) {
        return this;
      }
    }
    throw report.failure("a LocalizedMessage in \"" + locale + "\": \"" + message + "\"");
  }

  /**
   * Asserts a {@code google.rpc.LocalizedMessage} detail in a locale whose message contains a text.
   *
   * @param locale the BCP 47 tag, compared case-insensitively; not null
   * @param text the expected text; not null
   * @return this
   */
  public StatusAssert withLocalizedMessageContaining(String locale, String text) {
    Objects.requireNonNull(locale, "locale");
    Objects.requireNonNull(text, "text");
    for (LocalizedMessage detail : report.detailsOf(LocalizedMessage.class)) {
      if (detail.getLocale().equalsIgnoreCase(locale) && detail.getMessage().contains(text)) {
        return this;
      }
    }
    throw report.failure("a LocalizedMessage in \"" + locale + "\" containing \"" + text + "\"");
  }

  /**
   * Asserts a {@code google.rpc.ErrorInfo} detail with a reason.
   *
   * @param reason the expected reason, for example {@code "USER_NOT_FOUND"}; not null
   * @return this
   */
  public StatusAssert withErrorInfoReason(String reason) {
    Objects.requireNonNull(reason, "reason");
    for (ErrorInfo detail : report.detailsOf(ErrorInfo.class)) {
      if (detail.getReason().equals(reason)) {
        return this;
      }
    }
    throw report.failure("an ErrorInfo with reason \"" + reason + "\"");
  }

  /**
   * Asserts a {@code google.rpc.ErrorInfo} detail with a reason and a domain.
   *
   * @param reason the expected reason; not null
   * @param domain the expected domain; not null
   * @return this
   */
  public StatusAssert withErrorInfo(String reason, String domain) {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(domain, "domain");
    for (ErrorInfo detail : report.detailsOf(ErrorInfo.class)) {
      if (detail.getReason().equals(reason) && detail.getDomain().equals(domain)) {
        return this;
      }
    }
    throw report.failure(
        "an ErrorInfo with reason \"" + reason + "\" and domain \"" + domain + "\"");
  }

  /**
   * Asserts a {@code google.rpc.ErrorInfo} detail whose metadata maps a key to a value.
   *
   * @param key the metadata key; not null
   * @param value the expected value; not null
   * @return this
   */
  public StatusAssert withErrorInfoMetadata(String key, String value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    for (ErrorInfo detail : report.detailsOf(ErrorInfo.class)) {
      if (value.equals(detail.getMetadataMap().get(key))) {
        return this;
      }
    }
    throw report.failure("an ErrorInfo with metadata " + key + "=\"" + value + "\"");
  }

  /**
   * Asserts a {@code google.rpc.BadRequest} field violation on a field.
   *
   * @param field the field path, for example {@code "id"}; not null
   * @return this
   */
  public StatusAssert withFieldViolation(String field) {
    Objects.requireNonNull(field, "field");
    return withFieldViolation(field, "");
  }

  /**
   * Asserts a {@code google.rpc.BadRequest} field violation on a field whose description contains a
   * text.
   *
   * @param field the field path; not null
   * @param descriptionContaining the expected text; not null, empty matches any description
   * @return this
   */
  public StatusAssert withFieldViolation(String field, String descriptionContaining) {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(descriptionContaining, "descriptionContaining");
    for (BadRequest detail : report.detailsOf(BadRequest.class)) {
      for (BadRequest.FieldViolation violation : detail.getFieldViolationsList()) {
        if (violation.getField().equals(field)
            && violation.getDescription().contains(descriptionContaining)) {
          return this;
        }
      }
    }
    throw report.failure(
        "a BadRequest field violation on \""
            + field
            + "\""
            + (descriptionContaining.isEmpty()
                ? ""
                : " with a description containing \"" + descriptionContaining + "\""));
  }

  /**
   * Asserts a {@code google.rpc.RetryInfo} detail with exactly this retry delay, to the nanosecond.
   * Use it where the server computes the delay from fixed values (a constant, a fake clock); a
   * token bucket on the real clock computes it from the moment the call arrived, so use {@link
   * #withRetryDelayBetween(Duration, Duration)} there.
   *
   * @param delay the expected delay; not null
   * @return this
   */
  public StatusAssert withRetryDelay(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    return withRetryDelayBetween(delay, delay, "a RetryInfo with retry delay " + delay);
  }

  /**
   * Asserts a {@code google.rpc.RetryInfo} detail whose retry delay lies between {@code min} and
   * {@code max}, both included. A rate limit of N calls per period answers with the time until its
   * next token, which depends on when the call arrived: {@code withRetryDelayBetween(Duration.ZERO,
   * period)} holds for any such refusal.
   *
   * @param min the shortest accepted delay; not null, not negative
   * @param max the longest accepted delay; not null, not shorter than {@code min}
   * @return this
   * @throws IllegalArgumentException when {@code min} is negative or {@code max} is shorter
   */
  public StatusAssert withRetryDelayBetween(Duration min, Duration max) {
    Objects.requireNonNull(min, "min");
    Objects.requireNonNull(max, "max");
    if (min.isNegative()) {
      throw new IllegalArgumentException("min: " + min + " (expected: >= 0)");
    }
    if (max.compareTo(min) < 0) {
      throw new IllegalArgumentException("max: " + max + " (expected: >= min " + min + ")");
    }
    return withRetryDelayBetween(
        min, max, "a RetryInfo with retry delay between " + min + " and " + max);
  }

  private StatusAssert withRetryDelayBetween(Duration min, Duration max, String expected) {
    for (RetryInfo detail : report.detailsOf(RetryInfo.class)) {
      com.google.protobuf.Duration delay = detail.getRetryDelay();
      Duration actual = Duration.ofSeconds(delay.getSeconds(), delay.getNanos());
      if (actual.compareTo(min) >= 0 && actual.compareTo(max) <= 0) {
        return this;
      }
    }
    throw report.failure(expected);
  }

  /**
   * Asserts that a detail of a type is present.
   *
   * @param type the detail type, for example {@code PreconditionFailure.class}; not null
   * @return this
   */
  public StatusAssert withDetail(Class<? extends Message> type) {
    Objects.requireNonNull(type, "type");
    if (report.detailsOf(type).isEmpty()) {
      throw report.failure("a " + type.getSimpleName() + " detail");
    }
    return this;
  }

  /**
   * Asserts that {@code grpc-status-details-bin} is absent or carries no detail.
   *
   * @return this
   */
  public StatusAssert withoutDetails() {
    if (!report.details.isEmpty()) {
      throw report.failure("no details");
    }
    return this;
  }

  /**
   * Asserts that an ASCII trailer has exactly a value (its last value when repeated).
   *
   * @param name the trailer name, case-insensitive; not null, not ending in {@code -bin}
   * @param value the expected value; not null
   * @return this
   */
  public StatusAssert withTrailer(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    if (!value.equals(report.trailer(name))) {
      throw report.failure("trailer " + name + ": " + value);
    }
    return this;
  }

  /**
   * Asserts that an ASCII trailer is present and its value matches a regular expression.
   *
   * @param name the trailer name, case-insensitive; not null
   * @param regex the whole value must match it, for example {@code "[0-9a-f]{32}"}; not null
   * @return this
   */
  public StatusAssert withTrailerMatching(String name, String regex) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(regex, "regex");
    String actual = report.trailer(name);
    if (actual == null || !Pattern.matches(regex, actual)) {
      throw report.failure("trailer " + name + " matching /" + regex + "/");
    }
    return this;
  }

  /**
   * Asserts that a trailer is absent.
   *
   * @param name the trailer name, case-insensitive; not null
   * @return this
   */
  public StatusAssert withoutTrailer(String name) {
    Objects.requireNonNull(name, "name");
    if (report.trailers.keys().contains(name.toLowerCase(java.util.Locale.ROOT))) {
      throw report.failure("no trailer " + name);
    }
    return this;
  }

  /**
   * Returns the status under assertion, for checks these methods do not offer.
   *
   * @return the status; never null
   */
  public Status status() {
    return report.status;
  }

  /**
   * Returns a copy of the trailers under assertion.
   *
   * @return the trailers; never null, empty when there were none
   */
  public Metadata trailers() {
    return Metadatas.copy(report.trailers);
  }

  /**
   * Returns the details of a type decoded from {@code grpc-status-details-bin}.
   *
   * @param type the detail type; not null
   * @param <T> the detail type
   * @return the details in the order sent; never null, may be empty
   */
  public <T extends Message> List<T> details(Class<T> type) {
    Objects.requireNonNull(type, "type");
    return report.detailsOf(type);
  }

  @Override
  public String toString() {
    return report.toString();
  }
}
