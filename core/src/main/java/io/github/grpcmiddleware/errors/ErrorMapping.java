package io.github.grpcmiddleware.errors;

import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Entry point for error mapping: a server interceptor that turns every failure of a call into the
 * right gRPC status, with localized text and {@code google.rpc} details, and never leaks exception
 * text to the caller.
 *
 * <pre>{@code
 * ServerInterceptor errors =
 *     ErrorMapping.serverBuilder()
 *         .on(UserNotFoundException.class, Status.Code.NOT_FOUND)
 *         .on(QuotaException.class, e -> ServiceException.builder(Status.Code.RESOURCE_EXHAUSTED,
 *             "quota.exceeded").retryDelay(e.retryAfter()).build())
 *         .build();
 * }</pre>
 *
 * <p><b>Where it sits:</b> after trace (it reads the trace id) and locale (it reads the caller's
 * locale through the {@link MessageResolver}), before the user's interceptors and auth, so that
 * their exceptions and closes are mapped too.
 *
 * <p><b>What it catches:</b> exceptions thrown from {@code startCall} and from every listener
 * callback of the interceptors and handler inside it, a cause passed to {@code close} (which is
 * what {@code responseObserver.onError(e)} produces: UNKNOWN with {@code e} as the cause), and a
 * close whose cause is a {@link ServiceException} (always re-rendered: this is how auth's errors
 * get localized). Other explicit statuses passed to {@code close} go through unchanged. The call is
 * closed exactly once; after a failure, later {@code onMessage}, {@code onHalfClose} and {@code
 * onReady} callbacks are not passed to the handler ({@code onCancel} and {@code onComplete} are, so
 * it can clean up). {@link Error}s are not swallowed: the call is closed if possible, then the
 * error is rethrown.
 *
 * <p><b>How an exception is mapped:</b> the registration for the exception's most specific class
 * wins (walking up its superclasses), whatever the order of registration; a function returning
 * {@code null} falls through to the registration of the next superclass. By default only {@link
 * ServiceException} (its code, message key and details) and {@link StatusRuntimeException} / {@link
 * StatusException} (passed through with their trailers) are mapped; everything else becomes
 * INTERNAL with a generic message naming the trace id, and is logged once at ERROR with the trace
 * id in the MDC. Failures mapped to INTERNAL, UNKNOWN or DATA_LOSS are logged at ERROR, others (the
 * caller's fault) at DEBUG.
 *
 * <p><b>What the caller gets:</b> the status description in the caller's locale (or in the
 * service's default locale, see {@link ErrorMappingServerBuilder#localizedDescription(boolean)}), a
 * {@code grpc-status-details-bin} trailer holding a {@code google.rpc.Status} with the details and
 * a {@code google.rpc.LocalizedMessage}, {@code content-language} naming the locale of that
 * message, and {@code x-trace-id}. Description and details are kept within a trailer budget (see
 * {@link ErrorMappingServerBuilder#trailerBudget(int)}).
 *
 * <p><b>Client side:</b> {@link #newClientInterceptor()} logs every failed call with what {@link
 * ErrorReport} decodes from it (the server's trace id, localized message and details).
 *
 * <p>This class is thread-safe.
 */
public final class ErrorMapping {

  /** The default trailer budget in bytes, half of grpc-java's default 8 KiB metadata limit. */
  public static final int DEFAULT_TRAILER_BUDGET = 4096;

  /**
   * The smallest trailer budget accepted by {@link ErrorMappingServerBuilder#trailerBudget(int)}.
   */
  public static final int MIN_TRAILER_BUDGET = 512;

  private ErrorMapping() {}

  /**
   * Returns a new builder.
   *
   * @return a builder with the default mappings only, the English default messages, localized
   *     descriptions, no downstream translation and a {@value #DEFAULT_TRAILER_BUDGET}-byte budget
   */
  public static ErrorMappingServerBuilder serverBuilder() {
    return new ErrorMappingServerBuilder();
  }

  /**
   * Returns the error-mapping interceptor with default settings; see {@link
   * ErrorMappingServerBuilder}.
   *
   * @return the interceptor; never null
   */
  public static ServerInterceptor newServerInterceptor() {
    return serverBuilder().build();
  }

  /**
   * Returns a client interceptor that logs every failed call with the server's trace id and the
   * decoded details ({@link ErrorReport}): at WARN for INTERNAL, UNKNOWN and DATA_LOSS (server
   * faults), at DEBUG for the other codes, on the logger {@code
   * io.github.grpcmiddleware.errors.ErrorReport}. Install it on the channel, or in {@code
   * ClientChain}'s {@code errorReporting(...)} slot.
   *
   * @return a thread-safe interceptor; never null
   */
  public static ClientInterceptor newClientInterceptor() {
    return new ErrorMappingClientInterceptor();
  }

  static final class Registration {
    final Class<?> type;
    final Status.@Nullable Code code;
    final @Nullable Function<?, ? extends @Nullable ServiceException> mapper;

    Registration(
        Class<?> type,
        Status.@Nullable Code code,
        @Nullable Function<?, ? extends @Nullable ServiceException> mapper) {
      this.type = Objects.requireNonNull(type, "type");
      this.code = code;
      this.mapper = mapper;
    }

    @SuppressWarnings("unchecked")
    Function<Throwable, @Nullable Throwable> toFunction() {
      Status.Code fixed = code;
      if (fixed != null) {
        String key = MessageKeys.forCode(fixed);
        return t -> ServiceException.builder(fixed, key).cause(t).build();
      }
      Function<?, ?> function = Objects.requireNonNull(mapper, "mapper");
      return (Function<Throwable, @Nullable Throwable>) function;
    }
  }
}
