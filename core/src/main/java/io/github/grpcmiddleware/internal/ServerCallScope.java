package io.github.grpcmiddleware.internal;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Status;
import org.jspecify.annotations.Nullable;

/**
 * This class is internal and is hence not for public use. Its APIs are unstable and can change at
 * any time.
 *
 * <p>The one per-call record of a server call that every part of the library shares: what is known
 * about the call ({@link CallFacts}), the values the parts register ({@link CallValues}), their MDC
 * entries ({@link CallMdc}) and the call's one end ({@link CallEnds}); this class adds the call's
 * {@link Context}, the bracket around each callback, the call's state and which pipelines and parts
 * run on it. One object per call, in layers by concern, because the bytes per call are what the
 * benchmarks measure.
 *
 * <p>The stream tracer ({@link ServerCallTracerFactory}) opens the record in the call's own Context
 * when it is installed; otherwise the first pipeline opens it with a Context of its own. The first
 * pipeline is the record's owner: its wrappers bracket every callback ({@link #enter}/{@link
 * #exit}) and report the end when the tracer does not. Pipelines that find the record join it.
 */
public final class ServerCallScope extends CallEnds {

  private static final Context.Key<ServerCallScope> KEY = Context.key("grpcmiddleware-call");

  /** See {@link TraceValues#STARTED_HERE}. */
  public static final int TRACE_STARTED_HERE = TraceValues.STARTED_HERE;

  /** The call's state: the transport ended it (nothing more may be sent). */
  static final int TRANSPORT_ENDED = 1;

  /** The call's state: a part of the library ended it while the application ran. */
  static final int ENDED_BY_LIBRARY = 2;

  /** The call's state: a start decision waits; the owner holds the call's events. */
  static final int HOLDING = 4;

  /** The record of the call whose start is running on this thread, for pipelines that join it. */
  private static final ThreadLocal<@Nullable ServerCallScope> STARTING = new ThreadLocal<>();

  /**
   * The Context the owner's brackets attach, or null when they attach none: grpc-java attaches the
   * call's own Context, which holds the record when the tracer put it there; without the tracer the
   * record gets a Context of its own only once a part registers a value the application may read
   * through it (a trace id, a locale, a principal) or another Context, so a run of parts that
   * registers nothing (error mapping, metrics, limits without a cap) makes none.
   */
  private @Nullable Context context;

  /** The call's Context as it was when the owner started the call. */
  @Nullable Context callContext;

  /** The owner's pipeline; see {@link ServerPipeline}. */
  @Nullable ServerPipeline owner;

  /** The owner's call wrapper, whose listener this record is. */
  @Nullable PipelineCall<?, ?> ownerCall;

  private volatile int state;

  ServerCallScope(long startNanos, boolean viaTracer, String fullMethodName) {
    super(startNanos, viaTracer, fullMethodName);
  }

  /**
   * Returns the record of the call whose Context is current, or whose start runs on this thread (a
   * record gets a Context of its own only when a part registered a value in it).
   *
   * @return the record, or null outside a call of the library's parts
   */
  public static @Nullable ServerCallScope current() {
    ServerCallScope scope = KEY.get();
    return scope != null ? scope : starting();
  }

  /**
   * Returns the record held in a Context captured from a call.
   *
   * @param context the Context; not null
   * @return the record, or null when it holds none
   */
  public static @Nullable ServerCallScope fromContext(Context context) {
    return KEY.get(context);
  }

  static Context attach(Context parent, ServerCallScope scope) {
    return parent.withValue(KEY, scope);
  }

  /** Opens a record of a call without the stream tracer. */
  static ServerCallScope open(String fullMethodName) {
    ServerCallScope scope = new ServerCallScope(System.nanoTime(), false, fullMethodName);
    scope.callContext = Context.current();
    return scope;
  }

  /**
   * Returns the record whose start runs on this thread while its call's own Context is current (a
   * pipeline joining the call), or null. The Context must be the very one: another server call
   * started on this thread meanwhile (in-process, under {@code directExecutor()}) runs in a Context
   * of its own and must not find this record.
   */
  static @Nullable ServerCallScope starting() {
    ServerCallScope scope = STARTING.get();
    return scope != null && scope.callContext == Context.current() ? scope : null;
  }

  /** Marks this record's start running on this thread; returns what {@link #startEnds} restores. */
  @Nullable ServerCallScope startRuns() {
    ServerCallScope previous = STARTING.get();
    STARTING.set(this);
    return previous;
  }

  static void startEnds(@Nullable ServerCallScope previous) {
    // set(null), not remove(): removing would make the next call's set allocate a new map entry.
    STARTING.set(previous);
  }

  /** A part registered a value the application may read through the call's Context. */
  @Override
  void valueRegistered() {
    if (!viaTracer && context == null) {
      Context call = callContext;
      useContext(call != null ? call : Context.current());
    }
  }

  /**
   * Returns the Context of this call as the parts see it while the call starts and in its callbacks
   * (with the record, and any deadline or span a part added); for rendering messages later, on
   * threads where the call's Context is not current.
   *
   * @return the Context; never null
   */
  public Context context() {
    Context own = context;
    if (own != null) {
      return own;
    }
    Context call = callContext;
    if (viaTracer && call != null) {
      return call;
    }
    return attach(call != null ? call : Context.ROOT, this);
  }

  /**
   * Makes {@code derived} (a part's Context derived from the call's: a capped deadline, or
   * OpenTelemetry's span when OpenTelemetry keeps its Context in io.grpc.Context) the Context every
   * later bracket of this call attaches; inside the current bracket it is attached at once.
   *
   * @param derived the Context; not null
   */
  public void useContext(Context derived) {
    Context own = KEY.get(derived) == this ? derived : attach(derived, this);
    Context previousContext = context;
    context = own;
    if (bracketThread == Thread.currentThread()) {
      // One attach per bracket, undone in reverse order: a storage such as OpenTelemetry's bridge
      // restores only from the very Context its attach returned.
      Context attached = previousContext;
      if (attachedInBracket && attached != null) {
        Context previous = bracketPrevious;
        attached.detach(previous == null ? Context.ROOT : previous);
      }
      bracketPrevious = own.attach();
      attachedInBracket = true;
    }
  }

  /**
   * Registers a bracket of another Context system that every later callback of this call enters
   * after attaching the call's Context (OpenTelemetry's, when it keeps its own Context). One per
   * call; inside the current bracket it is entered at once.
   *
   * @param bracket the bracket; not null
   */
  public void addContextBracket(ContextBracket bracket) {
    CallExtras extras = extras();
    if (extras.extraBracket != null) {
      throw new IllegalStateException("a Context bracket is registered already");
    }
    extras.extraBracket = bracket;
    if (bracketThread == Thread.currentThread()) {
      extras.extraToken = bracket.enter();
    }
  }

  // What the open bracket attached and must restore; only its own thread touches them (the
  // callbacks of one call are serialized, and a send from inside a callback opens no bracket).
  // (what it attached is `context`, which a part may replace inside the bracket: useContext then
  // detaches the old one and attaches the new one)
  private boolean attachedInBracket;
  private @Nullable Context bracketPrevious;

  /**
   * Opens a bracket: attaches the Context (when the record has one of its own), enters the extra
   * bracket and puts the MDC entries. {@link #exit} closes it, in a {@code finally}.
   */
  void enter() {
    Context attached = context;
    if (attached != null) {
      bracketPrevious = attached.attach();
      attachedInBracket = true;
    }
    bracketThread = Thread.currentThread();
    CallExtras extras = extrasOrNull();
    if (extras != null && extras.extraBracket != null) {
      extras.extraToken = extras.extraBracket.enter();
    }
    putBracketEntries();
  }

  /** Closes the bracket {@link #enter} opened, restoring the MDC and the Context. */
  void exit() {
    try {
      restoreBracketEntries();
      CallExtras extras = extrasOrNull();
      if (extras != null) {
        ContextBracket extra = extras.extraBracket;
        Object token = extras.extraToken;
        if (extra != null && token != null) {
          extras.extraToken = null;
          extra.exit(token);
        }
      }
    } finally {
      bracketThread = null;
      Context attached = context;
      if (attachedInBracket && attached != null) {
        Context previous = bracketPrevious;
        attachedInBracket = false;
        bracketPrevious = null;
        attached.detach(previous == null ? Context.ROOT : previous);
      }
    }
  }

  /** Whether a bracket has anything to put: MDC entries, or a Context of the record's own. */
  boolean needsBracket() {
    return hasMdc() || context != null;
  }

  /**
   * Opens a bracket for code outside the call's callbacks (the application sending or closing from
   * its own thread, a timer): the Context and the MDC entries, what the MDC held saved in {@code
   * saved}.
   *
   * @return what {@link #exitOutside} restores
   */
  @Nullable Context enterOutside(@Nullable String[] saved) {
    Context attached = context;
    Context previous = attached == null ? null : attached.attach();
    putMdc(saved);
    return previous;
  }

  void exitOutside(@Nullable String[] saved, @Nullable Context previous) {
    try {
      restoreMdc(saved);
    } finally {
      Context attached = context;
      if (attached != null) {
        attached.detach(previous == null ? Context.ROOT : previous);
      }
    }
  }

  // ---- state

  final boolean is(int flag) {
    return (state & flag) != 0;
  }

  final void mark(int flag) {
    synchronized (this) {
      state |= flag;
    }
  }

  final void unmark(int flag) {
    synchronized (this) {
      state &= ~flag;
    }
  }

  // ---- the owner's listener: the record is the listener of the call's first pipeline

  @Override
  public void onMessage(Object message) {
    PipelineListener.onMessage(this, ownerCall(), message);
  }

  @Override
  public void onHalfClose() {
    PipelineListener.onHalfClose(this, ownerCall());
  }

  @Override
  public void onReady() {
    PipelineListener.onReady(this, ownerCall());
  }

  @Override
  public void onCancel() {
    PipelineListener.onCancel(this, ownerCall());
  }

  @Override
  public void onComplete() {
    PipelineListener.onComplete(this, ownerCall());
  }

  private PipelineCall<?, ?> ownerCall() {
    PipelineCall<?, ?> call = ownerCall;
    if (call == null) {
      throw new IllegalStateException("the record of " + fullMethodName() + " has no owner");
    }
    return call;
  }

  /** Whether the transport ended the call: nothing more may be sent on it. */
  public boolean transportEnded() {
    return (state & TRANSPORT_ENDED) != 0;
  }

  @Override
  void ended() {
    mark(TRANSPORT_ENDED);
  }

  /** The status of a call that ended without a close the wrappers saw (no tracer installed). */
  void completed() {
    if (viaTracer) {
      return;
    }
    Status closed = closeStatus;
    end(
        closed != null
            ? closed
            : Status.UNKNOWN.withDescription(
                "the call was closed by grpc-java, past every interceptor; status not observed"));
  }

  /** The status of a call cancelled by the client or its deadline (no tracer installed). */
  void cancelled() {
    if (viaTracer) {
      return;
    }
    Context call = callContext;
    Status cancelled = call == null ? null : Contexts.statusFromCancelled(call);
    end(cancelled != null ? cancelled : Status.CANCELLED);
  }

  @Override
  public String toString() {
    return "ServerCallScope{" + fullMethodName() + "}";
  }
}
