package io.github.grpcmiddleware.errors;

import com.google.protobuf.Message;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import com.google.rpc.ResourceInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Configures a {@link ServiceException}; obtained from {@link ServiceException#builder(Status.Code,
 * String)}. Not final: a service's own exception type may come with a builder of its own that
 * extends this one.
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs.
 */
public class ServiceExceptionBuilder {
  final Status.Code code;
  final String messageKey;
  final List<Object> args = new ArrayList<>();
  @Nullable String defaultMessage;
  @Nullable Throwable cause;
  private @Nullable ErrorInfo errorInfo;
  private final BadRequest.Builder badRequest = BadRequest.newBuilder();
  private final PreconditionFailure.Builder preconditionFailure = PreconditionFailure.newBuilder();
  private final List<ResourceInfo> resourceInfos = new ArrayList<>();
  private @Nullable RetryInfo retryInfo;
  private final List<Message> extraDetails = new ArrayList<>();

  /**
   * Creates a builder; prefer {@link ServiceException#builder(Status.Code, String)}.
   *
   * @param code the status code; not null, not OK
   * @param messageKey the message key; not null, not empty
   * @throws IllegalArgumentException when {@code code} is OK or {@code messageKey} is empty
   */
  protected ServiceExceptionBuilder(Status.Code code, String messageKey) {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(messageKey, "messageKey");
    if (code == Status.Code.OK) {
      throw new IllegalArgumentException("code: OK (expected: an error code)");
    }
    if (messageKey.isEmpty()) {
      throw new IllegalArgumentException("messageKey: \"\" (expected: not empty)");
    }
    this.code = code;
    this.messageKey = messageKey;
  }

  /**
   * Sets the message arguments (replacing earlier ones), formatted in the caller's locale.
   *
   * @param values the arguments; not null, elements not null
   * @return this builder
   */
  public ServiceExceptionBuilder args(Object... values) {
    Objects.requireNonNull(values, "values");
    args.clear();
    args.addAll(Arrays.asList(values));
    return this;
  }

  /**
   * Sets the English {@link java.text.MessageFormat} pattern used when no catalog has the key
   * (quote an apostrophe as {@code ''}).
   *
   * @param englishPattern the pattern; not null
   * @return this builder
   */
  public ServiceExceptionBuilder defaultMessage(String englishPattern) {
    Objects.requireNonNull(englishPattern, "englishPattern");
    this.defaultMessage = englishPattern;
    return this;
  }

  /**
   * Sets a {@link ErrorInfo} detail (replacing an earlier one).
   *
   * @param reason the machine-readable reason, UPPER_SNAKE_CASE by convention; not null
   * @param domain the logical owner of the reason, such as {@code users.example.com}; not null
   * @param metadata additional key/value pairs; not null, copied
   * @return this builder
   */
  public ServiceExceptionBuilder errorInfo(
      String reason, String domain, Map<String, String> metadata) {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(metadata, "metadata");
    this.errorInfo =
        ErrorInfo.newBuilder().setReason(reason).setDomain(domain).putAllMetadata(metadata).build();
    return this;
  }

  /**
   * Adds a field violation to the {@link BadRequest} detail.
   *
   * @param field the path of the field, such as {@code user.email}; not null
   * @param description why the value is bad; not null
   * @return this builder
   */
  public ServiceExceptionBuilder fieldViolation(String field, String description) {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(description, "description");
    badRequest.addFieldViolations(
        BadRequest.FieldViolation.newBuilder().setField(field).setDescription(description));
    return this;
  }

  /**
   * Sets a {@link RetryInfo} detail telling the caller how long to wait before retrying.
   *
   * @param delay the delay; not null, not negative
   * @return this builder
   * @throws IllegalArgumentException when {@code delay} is negative
   */
  public ServiceExceptionBuilder retryDelay(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("retryDelay: " + delay + " (expected: >= 0)");
    }
    this.retryInfo =
        RetryInfo.newBuilder()
            .setRetryDelay(
                com.google.protobuf.Duration.newBuilder()
                    .setSeconds(delay.getSeconds())
                    .setNanos(delay.getNano()))
            .build();
    return this;
  }

  /**
   * Adds a violation to the {@link PreconditionFailure} detail.
   *
   * @param type the kind of precondition, such as {@code TOS}; not null
   * @param subject what failed, such as {@code google.com/cloud}; not null
   * @param description how the caller can fix it; not null
   * @return this builder
   */
  public ServiceExceptionBuilder preconditionViolation(
      String type, String subject, String description) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(description, "description");
    preconditionFailure.addViolations(
        PreconditionFailure.Violation.newBuilder()
            .setType(type)
            .setSubject(subject)
            .setDescription(description));
    return this;
  }

  /**
   * Adds a {@link ResourceInfo} detail describing the resource involved.
   *
   * @param resourceType the type, such as {@code example.com/User}; not null
   * @param resourceName the name, such as {@code users/7}; not null
   * @param owner the owner, or an empty string; not null
   * @param description what went wrong with it; not null
   * @return this builder
   */
  public ServiceExceptionBuilder resourceInfo(
      String resourceType, String resourceName, String owner, String description) {
    Objects.requireNonNull(resourceType, "resourceType");
    Objects.requireNonNull(resourceName, "resourceName");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(description, "description");
    resourceInfos.add(
        ResourceInfo.newBuilder()
            .setResourceType(resourceType)
            .setResourceName(resourceName)
            .setOwner(owner)
            .setDescription(description)
            .build());
    return this;
  }

  /**
   * Adds any other protobuf message as a detail (packed into {@code google.protobuf.Any}).
   *
   * @param any the message; not null
   * @return this builder
   */
  public ServiceExceptionBuilder detail(Message any) {
    Objects.requireNonNull(any, "any");
    extraDetails.add(any);
    return this;
  }

  /**
   * Sets the cause, kept for server logs and never sent to the caller.
   *
   * @param throwable the cause; not null
   * @return this builder
   */
  public ServiceExceptionBuilder cause(Throwable throwable) {
    Objects.requireNonNull(throwable, "throwable");
    this.cause = throwable;
    return this;
  }

  /**
   * Builds the exception (to be thrown by the caller).
   *
   * @return a new exception; never null
   */
  public ServiceException build() {
    return new ServiceException(this);
  }

  List<Message> details() {
    List<Message> all = new ArrayList<>();
    if (errorInfo != null) {
      all.add(errorInfo);
    }
    if (badRequest.getFieldViolationsCount() > 0) {
      all.add(badRequest.build());
    }
    if (preconditionFailure.getViolationsCount() > 0) {
      all.add(preconditionFailure.build());
    }
    all.addAll(resourceInfos);
    if (retryInfo != null) {
      all.add(retryInfo);
    }
    all.addAll(extraDetails);
    return all;
  }
}
