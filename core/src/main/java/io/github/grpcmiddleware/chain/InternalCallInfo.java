package io.github.grpcmiddleware.chain;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import java.security.Principal;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Not API: for the library's own interceptors only, and may change in any release.
 *
 * <p>Inside a chain, the trace, locale and auth parts keep their per-call value in the call's
 * {@link CallInfo}, which the chain already put in the call's Context and attaches around every
 * callback, instead of each deriving and attaching a Context of its own. Their public accessors
 * ({@code TraceIds.current()}, {@code Locales.current()}, {@code ServerAuth.principal()}) look in
 * the Context first and then here, so they answer the same either way. A part finds a slot taken
 * when the same kind of part runs twice in one call (a server-wide and a per-service chain); it
 * then uses a Context value, which wins for the code inside it.
 *
 * <p>This class is thread-safe.
 */
public final class InternalCallInfo {

  private InternalCallInfo() {}

  /**
   * Starts {@code next} under {@code context} as {@code Contexts.interceptCall} does, or directly
   * when {@code context} is null (the part kept its value in the call's record instead).
   *
   * @param context the part's own Context, or null
   * @param call the call; not null
   * @param headers the call's headers; not null
   * @param next the rest of the chain; not null
   * @param <ReqT> request type
   * @param <RespT> response type
   * @return the listener of {@code next}, wrapped to attach {@code context} when there is one
   */
  public static <ReqT, RespT> ServerCall.Listener<ReqT> startCall(
      @Nullable Context context,
      ServerCall<ReqT, RespT> call,
      Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    return context == null
        ? next.startCall(call, headers)
        : Contexts.interceptCall(context, call, headers, next);
  }

  /**
   * Puts the trace part's record in an empty slot.
   *
   * @param info the call's record; not null
   * @param trace the record; not null
   * @return whether the slot was empty and now holds {@code trace}
   */
  public static boolean setTrace(CallInfo info, Object trace) {
    if (info.trace != null) {
      return false;
    }
    info.trace = trace;
    return true;
  }

  /**
   * Returns the trace part's record.
   *
   * @param info the call's record, or null
   * @return the record, or {@code null} when {@code info} is null or holds none
   */
  public static @Nullable Object trace(@Nullable CallInfo info) {
    return info == null ? null : info.trace;
  }

  /**
   * Puts the resolved locale in an empty slot.
   *
   * @param info the call's record; not null
   * @param locale the locale; not null
   * @return whether the slot was empty and now holds {@code locale}
   */
  public static boolean setLocale(CallInfo info, Locale locale) {
    if (info.locale != null) {
      return false;
    }
    info.locale = locale;
    return true;
  }

  /**
   * Returns the resolved locale.
   *
   * @param info the call's record, or null
   * @return the locale, or {@code null} when {@code info} is null or holds none
   */
  public static @Nullable Locale locale(@Nullable CallInfo info) {
    return info == null ? null : info.locale;
  }

  /**
   * Puts the authenticated principal in an empty slot.
   *
   * @param info the call's record; not null
   * @param principal the principal; not null
   * @return whether the slot was empty and now holds {@code principal}
   */
  public static boolean setPrincipal(CallInfo info, Principal principal) {
    if (info.principal != null) {
      return false;
    }
    info.principal = principal;
    return true;
  }

  /**
   * Returns the authenticated principal.
   *
   * @param info the call's record, or null
   * @return the principal, or {@code null} when {@code info} is null or holds none
   */
  public static @Nullable Principal principal(@Nullable CallInfo info) {
    return info == null ? null : info.principal;
  }
}
