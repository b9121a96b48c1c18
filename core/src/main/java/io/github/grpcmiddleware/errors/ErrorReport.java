package io.github.grpcmiddleware.errors;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.LocalizedMessage;
import com.google.rpc.RetryInfo;
import io.github.grpcmiddleware.internal.HeaderKeys;
import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A readable view of a failed call, decoded from a {@link io.grpc.StatusRuntimeException} or {@link
 * io.grpc.StatusException} raised by any gRPC server (Java, Go, Node.js, ...): code, description,
 * localized message and its locale, {@link ErrorInfo}, {@link BadRequest} field violations, {@link
 * RetryInfo} delay, and the server's trace id ({@code x-trace-id} trailer).
 *
 * <pre>{@code
 * try {
 *   stub.getUser(request);
 * } catch (StatusRuntimeException e) {
 *   ErrorReport report = ErrorReport.from(e);
 *   show(report.localizedMessage() != null ? report.localizedMessage() : report.description());
 * }
 * }</pre>
 *
 * <p>Decoding never throws: malformed or unknown details are skipped (and counted in {@link
 * #undecodedDetails()}). Instances are immutable. This class is thread-safe.
 */
public final class ErrorReport {

  private final Status.Code code;
  private final @Nullable String description;
  private final @Nullable String localizedMessage;
  private final @Nullable String locale;
  private final @Nullable ErrorInfo errorInfo;
  private final List<BadRequest.FieldViolation> fieldViolations;
  private final @Nullable Duration retryDelay;
  private final @Nullable String traceId;
  private final int undecodedDetails;

  private ErrorReport(Status status, @Nullable Metadata trailers) {
    this.code = status.getCode();
    this.description = status.getDescription();
    this.traceId = trailers == null ? null : safeGet(trailers, HeaderKeys.TRACE_ID);
    String localized = null;
    String tag = null;
    ErrorInfo info = null;
    List<BadRequest.FieldViolation> violations = new ArrayList<>();
    Duration delay = null;
    int undecoded = 0;
    for (Any detail : details(trailers)) {
      try {
        if (detail.is(LocalizedMessage.class)) {
          LocalizedMessage message = detail.unpack(LocalizedMessage.class);
          localized = message.getMessage();
          tag = message.getLocale();
        } else if (detail.is(ErrorInfo.class)) {
          info = detail.unpack(ErrorInfo.class);
        } else if (detail.is(BadRequest.class)) {
          violations.addAll(detail.unpack(BadRequest.class).getFieldViolationsList());
        } else if (detail.is(RetryInfo.class)) {
          com.google.protobuf.Duration d = detail.unpack(RetryInfo.class).getRetryDelay();
          delay = Duration.ofSeconds(d.getSeconds(), d.getNanos());
        } else {
          undecoded++;
        }
      } catch (InvalidProtocolBufferException | RuntimeException e) {
        undecoded++;
      }
    }
    this.localizedMessage = localized;
    this.locale = tag;
    this.errorInfo = info;
    this.fieldViolations = Collections.unmodifiableList(violations);
    this.retryDelay = delay;
    this.undecodedDetails = undecoded;
  }

  /**
   * Decodes the status and trailers carried by {@code failure} or its causes.
   *
   * @param failure any throwable; not null (one that carries no status reports UNKNOWN)
   * @return the report; never null
   */
  public static ErrorReport from(Throwable failure) {
    Objects.requireNonNull(failure, "failure");
    Status status;
    Metadata trailers;
    try {
      status = Status.fromThrowable(failure);
      trailers = Status.trailersFromThrowable(failure);
    } catch (RuntimeException e) {
      status = Status.UNKNOWN;
      trailers = null;
    }
    return new ErrorReport(status, trailers);
  }

  /**
   * Decodes a status and the trailers that came with it (as a client interceptor sees them).
   *
   * @param status the status; not null
   * @param trailers the trailers, or null
   * @return the report; never null
   */
  public static ErrorReport of(Status status, @Nullable Metadata trailers) {
    Objects.requireNonNull(status, "status");
    return new ErrorReport(status, trailers);
  }

  /** Returns the status code; never null. */
  public Status.Code code() {
    return code;
  }

  /** Returns the status description, or null when the server sent none. */
  public @Nullable String description() {
    return description;
  }

  /** Returns the text of the {@code google.rpc.LocalizedMessage} detail, or null when absent. */
  public @Nullable String localizedMessage() {
    return localizedMessage;
  }

  /** Returns the BCP-47 locale of {@link #localizedMessage()}, or null when absent. */
  public @Nullable String locale() {
    return locale;
  }

  /** Returns the {@link ErrorInfo} detail, or null when absent. */
  public @Nullable ErrorInfo errorInfo() {
    return errorInfo;
  }

  /** Returns the {@link BadRequest} field violations; never null, may be empty. */
  public List<BadRequest.FieldViolation> fieldViolations() {
    return fieldViolations;
  }

  /** Returns how long the server asks the caller to wait before retrying, or null. */
  public @Nullable Duration retryDelay() {
    return retryDelay;
  }

  /** Returns the server's trace id from the {@code x-trace-id} trailer, or null when absent. */
  public @Nullable String traceId() {
    return traceId;
  }

  /** Returns how many details were of other types or could not be decoded. */
  public int undecodedDetails() {
    return undecodedDetails;
  }

  /**
   * Returns one line for logs, such as {@code NOT_FOUND: User 7 does not exist [trace
   * 4bf92f3577b34da6a3ce929d0e0e4736, reason USER_NOT_FOUND (users.example.com)]}.
   */
  @Override
  public String toString() {
    StringBuilder line = new StringBuilder(code.name());
    if (description != null) {
      line.append(": ").append(description);
    }
    List<String> parts = new ArrayList<>();
    if (traceId != null) {
      parts.add("trace " + traceId);
    }
    if (errorInfo != null) {
      parts.add("reason " + errorInfo.getReason() + " (" + errorInfo.getDomain() + ")");
    }
    for (BadRequest.FieldViolation violation : fieldViolations) {
      parts.add("field " + violation.getField() + ": " + violation.getDescription());
    }
    if (retryDelay != null) {
      parts.add("retry after " + retryDelay.toMillis() + " ms");
    }
    if (!parts.isEmpty()) {
      line.append(" [").append(String.join(", ", parts)).append(']');
    }
    return escapeControls(line.toString());
  }

  /** The text comes from a remote server: escape line breaks so it cannot forge log lines. */
  private static String escapeControls(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < ' ' || c == 0x7f || c == 0x2028 || c == 0x2029) {
        if (out == null) {
          out = new StringBuilder(text.length() + 16).append(text, 0, i);
        }
        out.append(String.format("\\u%04x", (int) c));
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? text : out.toString();
  }

  private static List<Any> details(@Nullable Metadata trailers) {
    if (trailers == null) {
      return Collections.emptyList();
    }
    byte[] bytes = safeGet(trailers, HeaderKeys.STATUS_DETAILS_BYTES);
    if (bytes == null) {
      return Collections.emptyList();
    }
    try {
      return com.google.rpc.Status.parseFrom(bytes).getDetailsList();
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      return Collections.emptyList();
    }
  }

  private static <T> @Nullable T safeGet(Metadata trailers, Metadata.Key<T> key) {
    try {
      return trailers.get(key);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
