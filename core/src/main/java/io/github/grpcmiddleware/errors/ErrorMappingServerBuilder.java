package io.github.grpcmiddleware.errors;

import io.github.grpcmiddleware.internal.MessageTexts;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Configures the error mapping interceptor.
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs, so one builder may build several
 * interceptors.
 */
public final class ErrorMappingServerBuilder {
  private final List<ErrorMapping.Registration> registrations = new ArrayList<>();
  private boolean commonJdkMappings;
  private final Set<Status.Code> translated = EnumSet.noneOf(Status.Code.class);
  private @Nullable MessageResolver messageResolver;
  private boolean localizedDescription = true;
  private int trailerBudget = ErrorMapping.DEFAULT_TRAILER_BUDGET;

  ErrorMappingServerBuilder() {}

  /**
   * Maps an exception type (and its subclasses without a more specific registration) to a code,
   * sent with that code's generic localized message ({@link MessageKeys#forCode}); the exception's
   * own message is never sent.
   *
   * @param type the exception class; not null
   * @param code the code; not null, not OK
   * @param <T> the exception type
   * @return this builder
   */
  public <T extends Throwable> ErrorMappingServerBuilder on(Class<T> type, Status.Code code) {
    Objects.requireNonNull(code, "code");
    registrations.add(new ErrorMapping.Registration(type, code, null));
    return this;
  }

  /**
   * Maps an exception type (and its subclasses without a more specific registration) with a
   * function that chooses the code, message key, default text and details.
   *
   * <p>The function returns {@code null} to fall through to the registration of the nearest
   * superclass (or to the INTERNAL catch-all). If it throws, the call fails with INTERNAL and both
   * exceptions are logged at ERROR.
   *
   * @param type the exception class; not null
   * @param mapper the function; not null; must be thread-safe
   * @param <T> the exception type
   * @return this builder
   */
  public <T extends Throwable> ErrorMappingServerBuilder on(
      Class<T> type, Function<? super T, ? extends @Nullable ServiceException> mapper) {
    Objects.requireNonNull(mapper, "mapper");
    registrations.add(new ErrorMapping.Registration(type, null, mapper));
    return this;
  }

  /**
   * Adds the common JDK mappings, for services whose code throws these exceptions on purpose:
   * {@link IllegalArgumentException} to INVALID_ARGUMENT, {@link IllegalStateException} to
   * FAILED_PRECONDITION, {@link UnsupportedOperationException} to UNIMPLEMENTED, {@link
   * NoSuchElementException} to NOT_FOUND, {@link TimeoutException} to DEADLINE_EXCEEDED and {@link
   * CancellationException} to CANCELLED, each with its code's generic message.
   *
   * <p>Off by default: a {@code NumberFormatException} (an IllegalArgumentException) thrown by a
   * bug would otherwise blame the caller. A registration made with {@code on(...)} for one of these
   * types replaces the JDK mapping.
   *
   * @return this builder
   */
  public ErrorMappingServerBuilder withCommonJdkMappings() {
    this.commonJdkMappings = true;
    return this;
  }

  /**
   * Translates {@link StatusRuntimeException}s and {@link StatusException}s with these codes (and
   * explicit closes with them) into INTERNAL with the generic message and the trace id, logged at
   * ERROR, instead of passing them through.
   *
   * <p>By default every code passes through, because a grpc-java service usually throws {@code
   * Status.NOT_FOUND.asRuntimeException()} itself and the interceptor cannot tell that apart from
   * an exception that a client stub raised for a dependency. Google's API design guide asks
   * services to translate errors from dependencies: a dependency's UNAUTHENTICATED or
   * INVALID_ARGUMENT propagated verbatim blames the caller for the service's own failure. A service
   * that lets client stub exceptions escape should list those codes here, for example {@code
   * translateDownstream(UNAUTHENTICATED, PERMISSION_DENIED, INVALID_ARGUMENT)}. A {@link
   * ServiceException} is never translated.
   *
   * @param codes the codes; not null, none OK
   * @return this builder
   */
  public ErrorMappingServerBuilder translateDownstream(Status.Code... codes) {
    Objects.requireNonNull(codes, "codes");
    Collections.addAll(translated, codes);
    return this;
  }

  /**
   * Sets how message keys become text (the i18n module provides a resolver for the caller's
   * locale); keys it does not know fall back to the English defaults.
   *
   * @param resolver the resolver; not null; must be thread-safe and not throw
   * @return this builder
   */
  public ErrorMappingServerBuilder messageResolver(MessageResolver resolver) {
    this.messageResolver = Objects.requireNonNull(resolver, "resolver");
    return this;
  }

  /**
   * Chooses the language of the status description. {@code true} (the default): the description is
   * the caller's localized text, what a Go or Node.js client shows without decoding details. {@code
   * false} (AIP-193 style): the description is the text in the service's default locale (resolved
   * with {@link io.grpc.Context#ROOT}) and the caller's text is only in the {@code
   * google.rpc.LocalizedMessage} detail. Either way the detail is sent.
   *
   * @param localized whether the description is localized for the caller
   * @return this builder
   */
  public ErrorMappingServerBuilder localizedDescription(boolean localized) {
    this.localizedDescription = localized;
    return this;
  }

  /**
   * Sets the most bytes that the error's trailers may take on the wire: the percent-encoded {@code
   * grpc-message}, the base64 {@code grpc-status-details-bin}, {@code grpc-status}, {@code
   * x-trace-id}, {@code content-language} and other trailers, each counted as name + value + 32
   * like HTTP/2's header list size. Over budget, the description is first cut to at most a quarter
   * of the budget (on a code-point boundary, ending in "..."), then details are dropped in this
   * order: other messages, ResourceInfo, PreconditionFailure, BadRequest, RetryInfo, ErrorInfo,
   * LocalizedMessage; then the description is cut further. The code never changes.
   *
   * @param bytes the budget; default {@value ErrorMapping#DEFAULT_TRAILER_BUDGET}; at least {@value
   *     ErrorMapping#MIN_TRAILER_BUDGET}; keep it well under the client's metadata limit (8 KiB by
   *     default in grpc-java), which also counts response headers
   * @return this builder
   */
  public ErrorMappingServerBuilder trailerBudget(int bytes) {
    this.trailerBudget = bytes;
    return this;
  }

  /**
   * Builds the interceptor.
   *
   * @return a thread-safe server interceptor; never null
   * @throws IllegalArgumentException when a type is registered twice, a code is OK or the budget is
   *     below {@value ErrorMapping#MIN_TRAILER_BUDGET}
   */
  public ServerInterceptor build() {
    MessageTexts.checkTrailerBudget(trailerBudget, ErrorMapping.MIN_TRAILER_BUDGET);
    if (translated.contains(Status.Code.OK)) {
      throw new IllegalArgumentException("translateDownstream: OK (expected: an error code)");
    }
    Map<Class<?>, Function<Throwable, @Nullable Throwable>> mappings = new HashMap<>();
    for (ErrorMapping.Registration registration : registrations) {
      if (registration.code == Status.Code.OK) {
        throw new IllegalArgumentException(
            "on(" + registration.type.getName() + "): OK (expected: an error code)");
      }
      if (mappings.put(registration.type, registration.toFunction()) != null) {
        throw new IllegalArgumentException(
            "duplicate mapping for " + registration.type.getName() + " (expected: one per type)");
      }
    }
    if (commonJdkMappings) {
      putDefault(mappings, IllegalArgumentException.class, Status.Code.INVALID_ARGUMENT);
      putDefault(mappings, IllegalStateException.class, Status.Code.FAILED_PRECONDITION);
      putDefault(mappings, UnsupportedOperationException.class, Status.Code.UNIMPLEMENTED);
      putDefault(mappings, NoSuchElementException.class, Status.Code.NOT_FOUND);
      putDefault(mappings, TimeoutException.class, Status.Code.DEADLINE_EXCEEDED);
      putDefault(mappings, CancellationException.class, Status.Code.CANCELLED);
    }
    mappings.putIfAbsent(ServiceException.class, t -> t);
    mappings.putIfAbsent(StatusRuntimeException.class, t -> t);
    mappings.putIfAbsent(StatusException.class, t -> t);
    MessageResolver resolver = messageResolver;
    ErrorRenderer renderer =
        new ErrorRenderer(
            mappings,
            resolver == null ? DefaultMessageResolver.INSTANCE : resolver,
            localizedDescription,
            trailerBudget,
            translated);
    return new ErrorMappingServerInterceptor(renderer);
  }

  private static void putDefault(
      Map<Class<?>, Function<Throwable, @Nullable Throwable>> mappings,
      Class<? extends Throwable> type,
      Status.Code code) {
    mappings.putIfAbsent(type, new ErrorMapping.Registration(type, code, null).toFunction());
  }
}
