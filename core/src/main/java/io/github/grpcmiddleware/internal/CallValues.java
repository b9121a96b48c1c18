package io.github.grpcmiddleware.internal;

import java.security.Principal;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * This class is internal and is hence not for public use. Its APIs are unstable and can change at
 * any time.
 *
 * <p>The values the parts register for a server call and read back (each other's, the service's,
 * the access log's): its trace, locale, principal and the exception error mapping turned into its
 * status. The MDC entries of those values are {@link CallMdc}'s concern.
 *
 * <p>Values are written while the call starts, on the thread that runs {@code interceptCall}, and
 * read later on callback threads; grpc-java's hand-off between them orders the two.
 */
abstract class CallValues extends CallFacts {

  private @Nullable TraceValues trace;
  private @Nullable Locale locale;
  @Nullable String contentLanguage;
  private volatile @Nullable Principal principal;
  private volatile @Nullable Throwable mappedException;

  CallValues(long startNanos, boolean viaTracer, String fullMethodName) {
    super(startNanos, viaTracer, fullMethodName);
  }

  /** Puts an MDC entry of the call; see {@link CallMdc}. */
  abstract void putSlot(int slot, @Nullable String key, @Nullable String value);

  /** Whether a part registered an MDC key for {@code slot}. */
  abstract boolean hasKey(int slot);

  /** A value the application may read through the call's Context was registered. */
  abstract void valueRegistered();

  // ---- trace

  /**
   * Sets the call's trace, unless a trace part already did.
   *
   * @param trace the trace; not null
   * @return false when the call already has a trace (the caller passes through)
   */
  public final boolean setTrace(TraceValues trace) {
    if (this.trace != null) {
      return false;
    }
    this.trace = trace;
    valueRegistered();
    TraceValues.Keys keys = trace.keys;
    putSlot(CallMdc.TRACE, keys.traceId, trace.traceId);
    putSlot(CallMdc.SPAN, trace.spanId == null ? null : keys.spanId, trace.spanId);
    putSlot(CallMdc.REQUEST, trace.requestId == null ? null : keys.requestId, trace.requestId);
    return true;
  }

  /** Returns the trace id, or null when no trace part ran. */
  public final @Nullable String traceId() {
    TraceValues values = trace;
    return values == null ? null : values.traceId;
  }

  /** Returns the span id the trace part chose, or null. */
  public final @Nullable String spanId() {
    TraceValues values = trace;
    return values == null ? null : values.spanId;
  }

  /** Whether {@link #spanId()} is a real span that outgoing calls name as their parent. */
  public final boolean spanIsParent() {
    TraceValues values = trace;
    return values != null && values.spanIsParent;
  }

  /** Returns the trace flags, or {@link TraceValues#STARTED_HERE}. */
  public final int traceFlags() {
    TraceValues values = trace;
    return values == null ? TraceValues.STARTED_HERE : values.flags;
  }

  /** Returns the incoming {@code tracestate}, kept only with a valid {@code traceparent}. */
  public final @Nullable String traceState() {
    TraceValues values = trace;
    return values == null ? null : values.traceState;
  }

  /** The trace id to echo in {@code x-trace-id}, or null when the trace part echoes none. */
  final @Nullable String echoedTraceId() {
    TraceValues values = trace;
    return values != null && values.keys.echo ? values.traceId : null;
  }

  // ---- locale

  /**
   * Sets the call's locale.
   *
   * @param locale the locale; not null
   * @param tag its language tag, for the MDC and {@code content-language}; not null
   * @param mdcKey the MDC key, or null for none
   * @param contentLanguage whether responses carry {@code content-language}
   */
  public final void setLocale(
      Locale locale, String tag, @Nullable String mdcKey, boolean contentLanguage) {
    this.locale = locale;
    this.contentLanguage = contentLanguage ? tag : null;
    valueRegistered();
    if (mdcKey != null || !hasKey(CallMdc.LOCALE)) {
      putSlot(CallMdc.LOCALE, mdcKey, tag);
    }
  }

  /** Returns the resolved locale, or null when no locale part ran. */
  public final @Nullable Locale locale() {
    return locale;
  }

  // ---- principal

  /**
   * Sets the authenticated principal. A second auth part of another instance (a per-service chain
   * inside a server-wide one) authenticates the call again, and its principal, the one the service
   * acts for, replaces the first.
   *
   * @param principal the principal; not null
   * @param mdcKey the MDC key for its name, or null for none
   */
  public final void setPrincipal(Principal principal, @Nullable String mdcKey) {
    this.principal = principal;
    valueRegistered();
    if (mdcKey != null || !hasKey(CallMdc.PRINCIPAL)) {
      putSlot(CallMdc.PRINCIPAL, mdcKey, principal.getName());
    }
  }

  /** Returns the authenticated principal, or null. */
  public final @Nullable Principal principal() {
    return principal;
  }

  // ---- outcome

  /** Records the exception error mapping turned into the call's status. */
  public final void setMappedException(Throwable exception) {
    this.mappedException = exception;
  }

  /** Returns the exception error mapping turned into the call's status, or null. */
  public final @Nullable Throwable mappedException() {
    return mappedException;
  }
}
