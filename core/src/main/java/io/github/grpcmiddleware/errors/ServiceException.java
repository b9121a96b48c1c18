package io.github.grpcmiddleware.errors;

import com.google.protobuf.Message;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import com.google.rpc.ResourceInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An exception a service throws (or passes to {@code responseObserver.onError}) to say "fail this
 * call with this code, this message key and arguments, and these {@code google.rpc} details".
 *
 * <p>The error mapping interceptor ({@link ErrorMapping}) turns it into the call's status: it
 * resolves the message key for the caller's locale through the configured {@link MessageResolver},
 * falls back to {@link #getDefaultMessage()} (an English {@link java.text.MessageFormat} pattern)
 * and then to the generic message of the code, and sends the details in {@code
 * grpc-status-details-bin}. The exception's own {@link #getMessage()} is for server logs only; it
 * is never sent to the caller.
 *
 * <pre>{@code
 * throw ServiceException.builder(Status.Code.NOT_FOUND, "user.notFound")
 *     .args(id)
 *     .defaultMessage("User {0,number,#} does not exist")
 *     .errorInfo("USER_NOT_FOUND", "users.example.com", Collections.singletonMap("id", "7"))
 *     .build();
 * }</pre>
 *
 * <p>The class is not final: services may subclass it (a {@link ServiceExceptionBuilder} can be
 * passed to a subclass's constructor, which calls {@link
 * #ServiceException(ServiceExceptionBuilder)}). Instances are immutable once built. This class is
 * thread-safe.
 */
public class ServiceException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final Status.Code code;
  private final String messageKey;
  private final transient List<Object> args;
  private final @Nullable String defaultMessage;
  private final transient List<Message> details;

  /**
   * Creates the exception from a builder's settings; for subclasses, which usually call {@code
   * super(builder)} from a constructor taking the builder.
   *
   * @param builder the settings; not null
   * @throws IllegalArgumentException when the builder's code is {@link Status.Code#OK}
   */
  protected ServiceException(ServiceExceptionBuilder builder) {
    super(
        Objects.requireNonNull(builder, "builder").code + ": " + builder.messageKey, builder.cause);
    this.code = builder.code;
    this.messageKey = builder.messageKey;
    this.args = Collections.unmodifiableList(new ArrayList<>(builder.args));
    this.defaultMessage = builder.defaultMessage;
    this.details = Collections.unmodifiableList(builder.details());
  }

  /**
   * Starts a builder for an exception with the given code and message key.
   *
   * @param code the status code sent to the caller; not null, not {@link Status.Code#OK}
   * @param messageKey the key of the message in the catalogs (for example {@code user.notFound});
   *     not null, not empty
   * @return a new builder; never null
   * @throws IllegalArgumentException when {@code code} is OK or {@code messageKey} is empty
   * @throws NullPointerException when an argument is null
   */
  public static ServiceExceptionBuilder builder(Status.Code code, String messageKey) {
    return new ServiceExceptionBuilder(code, messageKey);
  }

  /**
   * Returns the status code sent to the caller.
   *
   * @return the code; never null, never OK
   */
  public Status.Code getCode() {
    return code;
  }

  /**
   * Returns the key of the message sent to the caller.
   *
   * @return the key; never null
   */
  public String getMessageKey() {
    return messageKey;
  }

  /**
   * Returns the message arguments, formatted in the caller's locale.
   *
   * @return an unmodifiable list; never null, may be empty
   */
  public List<Object> getArgs() {
    return args;
  }

  /**
   * Returns the English {@link java.text.MessageFormat} pattern used when no catalog has the key.
   *
   * @return the pattern, or {@code null} when none was given (the code's generic message is used)
   */
  public @Nullable String getDefaultMessage() {
    return defaultMessage;
  }

  /**
   * Returns the {@code google.rpc} details sent to the caller, in this order: {@link ErrorInfo},
   * {@link BadRequest}, {@link PreconditionFailure}, {@link ResourceInfo} (one per call of {@link
   * ServiceExceptionBuilder#resourceInfo}), {@link RetryInfo}, then the messages given to {@link
   * ServiceExceptionBuilder#detail}.
   *
   * @return an unmodifiable list; never null, may be empty
   */
  public List<Message> getDetails() {
    return details;
  }
}
