package io.github.grpcmiddleware.internal;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.jspecify.annotations.Nullable;

/**
 * This class is internal and is hence not for public use. Its APIs are unstable and can change at
 * any time.
 *
 * <p>A part of the library as the call pipeline runs it: a set of hooks, not a wrapper. The
 * pipeline ({@link ServerPipeline}) adds one call wrapper and one listener wrapper per call for a
 * whole run of parts and calls each part's hooks in chain order: {@link #start} (outermost first,
 * inside the call's bracket: read headers and facts, register values, MDC entries and end
 * observers, or reject), {@link #onMessage} (each inbound message), {@link #onSend} (each
 * response), {@link #onClose} (status and trailers on their way out, innermost first), {@link
 * #onFailure} (what an inner callback threw), and the end through the {@link ServerCallObserver}s
 * registered at start. A part used alone, as the {@code ServerInterceptor} its public factory
 * returns, is a one-part pipeline.
 *
 * <p>Each part has a kind. The same instance installed twice runs once. Another instance of a
 * record-keeping kind (tracing, access log, metrics, error mapping) passes through with one WARN
 * naming both installations, so a call keeps one trace id, one record and one rendering. Other
 * instances of the remaining kinds run too: gates (auth, limits, validation) because each is a
 * policy and silently skipping one would weaken it, and locale because a per-service chain knows
 * the locales its service's messages are in (its locale replaces the server-wide one).
 */
public abstract class ServerPart implements ServerInterceptor, ChainPart {

  /** Kinds; one part of each runs per call. */
  public static final int TRACING = 0;

  public static final int ACCESS_LOG = 1;
  public static final int METRICS = 2;
  public static final int LOCALE = 3;
  public static final int ERROR_MAPPING = 4;
  public static final int AUTH = 5;
  public static final int LIMITS = 6;
  public static final int VALIDATION = 7;

  /** Hooks a part overrides, so that the pipeline calls only those. */
  public static final int ON_START = 1;

  public static final int ON_MESSAGE = 2;
  public static final int ON_SEND = 4;
  public static final int ON_CLOSE = 8;
  public static final int ON_FAILURE = 16;

  private final int kind;
  private final int hooks;
  private final String chainSlot;
  private final String description;
  private volatile @Nullable ServerPipeline alone;

  /**
   * Creates a part.
   *
   * @param kind one of the kind constants
   * @param hooks the hooks it overrides, OR-ed
   * @param chainSlot the {@code ServerChainBuilder} slot the part belongs in ("tracing")
   * @param description names the part in warnings ("AccessLog", "GrpcTracing")
   */
  protected ServerPart(int kind, int hooks, String chainSlot, String description) {
    this.kind = kind;
    this.hooks = hooks;
    this.chainSlot = chainSlot;
    this.description = description;
  }

  /** Returns the part's kind. */
  public final int kind() {
    return kind;
  }

  final boolean has(int hook) {
    return (hooks & hook) != 0;
  }

  /** Whether another instance of this kind runs on a call that one already runs on. */
  final boolean runsPerInstance() {
    return kind == AUTH || kind == LIMITS || kind == VALIDATION || kind == LOCALE;
  }

  /** This part used alone: a one-part pipeline. */
  @Override
  public final <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    ServerPipeline pipeline = alone;
    if (pipeline == null) {
      pipeline = new ServerPipeline(new ServerPart[] {this}, describe() + " (used alone)");
      alone = pipeline; // a lost race makes a second, equal pipeline: harmless
    }
    return pipeline.interceptCall(call, headers, next);
  }

  /**
   * Whether the part has anything to do on this call; checked first, on every call, so it must be
   * cheap. A pipeline none of whose parts apply adds nothing to the call (no record, no wrappers).
   *
   * @param call the call; not null
   * @return false to stay out of the call entirely
   */
  public boolean appliesTo(ServerCall<?, ?> call) {
    return true;
  }

  /**
   * Starts the part for a call, inside the call's bracket (its Context attached, the MDC entries
   * registered so far in place).
   *
   * @param scope the call's record; not null
   * @param call the call, for its facts and for {@link PipelineCall#reject}; not null
   * @param headers the request headers; not null
   * @return {@link StartResult#CONTINUE}, {@link StartResult#REJECTED} or a pending decision
   */
  public StartResult start(ServerCallScope scope, PipelineCall<?, ?> call, Metadata headers) {
    return StartResult.CONTINUE;
  }

  /**
   * Sees an inbound message before the parts after it and the service do.
   *
   * @param scope the call's record; not null
   * @param call the call, for {@link PipelineCall#closeByPart}; not null
   * @param message the message; not null
   * @return true to deliver it; false when the part ended the call
   */
  public boolean onMessage(ServerCallScope scope, PipelineCall<?, ?> call, Object message) {
    return true;
  }

  /**
   * Sees a response before it is sent; called holding the call's monitor.
   *
   * @param scope the call's record; not null
   * @param call the call, for {@link PipelineCall#closeByPart}; not null
   * @param message the response; not null
   * @return true to send it; false when the part ended the call
   */
  public boolean onSend(ServerCallScope scope, PipelineCall<?, ?> call, Object message) {
    return true;
  }

  /**
   * Sees a close on its way out (the service's, or a part's inside this one) and returns the status
   * to send instead; called holding the call's monitor, innermost part first.
   *
   * @param scope the call's record; not null
   * @param status the status so far; not null
   * @param trailers the trailers, which the part may change; not null
   * @return the status to send; never null
   */
  public Status onClose(ServerCallScope scope, Status status, Metadata trailers) {
    return status;
  }

  /**
   * Turns what a callback inside this part threw (or what starting the rest of the call threw) into
   * the status to close the call with.
   *
   * @param scope the call's record; not null
   * @param failure what was thrown; not null
   * @param trailers the trailers to send, which the part fills; not null
   * @return the status; never null
   */
  public Status onFailure(ServerCallScope scope, Throwable failure, Metadata trailers) {
    throw new UnsupportedOperationException("no failure hook");
  }

  /**
   * Hears of a failure after the call was closed already (a late callback of a failed call); logs
   * it, at most.
   *
   * @param scope the call's record; not null
   * @param failure what was thrown; not null
   */
  public void onFailureAfterClose(ServerCallScope scope, Throwable failure) {}

  /** The observer that also records calls to methods the server does not know, or null. */
  public @Nullable ServerCallObserver unknownMethodObserver() {
    return null;
  }

  @Override
  public final String chainSlot() {
    return chainSlot;
  }

  /** Names the part in warnings ("AccessLog", "GrpcTracing"). */
  public final String describe() {
    return description;
  }

  @Override
  public String toString() {
    return describe();
  }
}
