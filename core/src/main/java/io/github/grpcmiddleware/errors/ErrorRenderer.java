package io.github.grpcmiddleware.errors;

import com.google.protobuf.Message;
import com.google.rpc.LocalizedMessage;
import io.github.grpcmiddleware.internal.HeaderKeys;
import io.github.grpcmiddleware.internal.MessageTexts;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Turns a failure into the status and trailers sent to the caller: the registry lookup, message
 * resolution, details and the trailer budget. Holds only immutable configuration.
 *
 * <p>This class is thread-safe.
 */
final class ErrorRenderer {

  private final Map<Class<?>, Function<Throwable, @Nullable Throwable>> mappings;
  private final MessageResolver resolver;
  private final boolean localizedDescription;
  private final int budget;
  private final boolean[] translated;

  ErrorRenderer(
      Map<Class<?>, Function<Throwable, @Nullable Throwable>> mappings,
      MessageResolver resolver,
      boolean localizedDescription,
      int budget,
      Set<Status.Code> translated) {
    this.mappings = Collections.unmodifiableMap(new java.util.HashMap<>(mappings));
    this.resolver = resolver;
    this.localizedDescription = localizedDescription;
    this.budget = budget;
    this.translated = new boolean[Status.Code.values().length];
    for (Status.Code code : translated) {
      this.translated[code.ordinal()] = true;
    }
  }

  /** The outcome of mapping a throwable: the mapped exception, or null for the catch-all. */
  @Nullable Throwable map(Throwable failure) {
    for (Class<?> type = failure.getClass(); type != null; type = type.getSuperclass()) {
      Function<Throwable, @Nullable Throwable> mapping = mappings.get(type);
      if (mapping != null) {
        Throwable mapped = mapping.apply(failure);
        if (mapped != null) {
          return mapped;
        }
      }
    }
    return null;
  }

  boolean isTranslated(Status.Code code) {
    return translated[code.ordinal()];
  }

  /** Renders a ServiceException into {@code trailers} (which it updates); returns the status. */
  Status render(ServiceException exception, Context callContext, Metadata trailers) {
    return render(
        exception.getCode(),
        exception.getMessageKey(),
        exception.getArgs(),
        exception.getDefaultMessage(),
        exception.getDetails(),
        callContext,
        trailers);
  }

  /**
   * Says which trace a log line is about: {@code trace id <id>}, or {@code no trace id} when no
   * trace part gave the call one.
   */
  static String traceIdText(@Nullable String traceId) {
    return traceId == null ? "no trace id" : "trace id " + traceId;
  }

  /**
   * Renders the catch-all: INTERNAL with the generic message naming the trace id, or saying that
   * the call has none.
   */
  Status renderInternal(Context callContext, Metadata trailers) {
    String traceId = TraceIds.fromContext(callContext);
    if (traceId == null) {
      return render(
          Status.Code.INTERNAL,
          MessageKeys.INTERNAL_NO_TRACE_ID,
          emptyList(),
          null,
          emptyList(),
          callContext,
          trailers);
    }
    return render(
        Status.Code.INTERNAL,
        MessageKeys.INTERNAL,
        Collections.singletonList(traceId),
        null,
        emptyList(),
        callContext,
        trailers);
  }

  /**
   * Passes an explicit status through, cutting only its description when the trailers would exceed
   * the budget.
   */
  Status passThrough(Status status, Metadata trailers) {
    String description = status.getDescription();
    if (description == null) {
      return status;
    }
    int available = budget - TrailerBudget.sizeOf(trailers) - 64;
    String cut = TrailerBudget.truncate(description, Math.max(0, available), 1, 0);
    return cut.equals(description) ? status : status.withDescription(cut);
  }

  /** The status and trailers of a StatusException or StatusRuntimeException. */
  static Status statusOf(Throwable statusException) {
    return statusException instanceof StatusRuntimeException
        ? ((StatusRuntimeException) statusException).getStatus()
        : ((StatusException) statusException).getStatus();
  }

  static @Nullable Metadata trailersOf(Throwable statusException) {
    return statusException instanceof StatusRuntimeException
        ? ((StatusRuntimeException) statusException).getTrailers()
        : ((StatusException) statusException).getTrailers();
  }

  private Status render(
      Status.Code code,
      String key,
      List<?> args,
      @Nullable String defaultMessage,
      List<Message> details,
      Context callContext,
      Metadata trailers) {
    LocalizedMessage local = localize(callContext, code, key, args, defaultMessage);
    String description =
        localizedDescription
            ? local.getMessage()
            : localize(Context.ROOT, code, key, args, defaultMessage).getMessage();
    trailers.removeAll(HeaderKeys.STATUS_DETAILS);
    trailers.removeAll(HeaderKeys.CONTENT_LANGUAGE);
    String traceId = TraceIds.fromContext(callContext);
    if (traceId != null && !trailers.containsKey(HeaderKeys.TRACE_ID)) {
      trailers.put(HeaderKeys.TRACE_ID, traceId);
    }
    String language = local.getLocale();
    if (!MessageTexts.isLanguageTag(language)) {
      local = local.toBuilder().setLocale("").build();
    } else {
      trailers.put(HeaderKeys.CONTENT_LANGUAGE, language);
    }
    TrailerBudget.Fitted fitted =
        TrailerBudget.fit(
            code, description, local, details, TrailerBudget.sizeOf(trailers), budget);
    if (fitted.details != null) {
      trailers.put(HeaderKeys.STATUS_DETAILS, fitted.details);
    }
    Status status = Status.fromCode(code);
    return fitted.description.isEmpty() ? status : status.withDescription(fitted.description);
  }

  private LocalizedMessage localize(
      Context callContext,
      Status.Code code,
      String key,
      List<?> args,
      @Nullable String defaultMessage) {
    LocalizedMessage message = resolve(callContext, key, args);
    if (message == null && defaultMessage != null) {
      message = DefaultMessageResolver.english(defaultMessage, args);
    }
    if (message == null && resolver != DefaultMessageResolver.INSTANCE) {
      message = DefaultMessageResolver.INSTANCE.resolve(Context.ROOT, key, args);
    }
    if (message == null) {
      message = resolve(callContext, MessageKeys.forCode(code), emptyList());
    }
    return message != null ? message : DefaultMessageResolver.INSTANCE.forCode(code, emptyList());
  }

  private @Nullable LocalizedMessage resolve(Context callContext, String key, List<?> args) {
    return MessageTexts.resolveQuietly(resolver, callContext, key, args);
  }

  private static <T> List<T> emptyList() {
    return Collections.emptyList();
  }
}
