package io.github.grpcmiddleware.internal;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.net.SocketAddress;
import java.security.Principal;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Not for public use; may change without notice. The one per-call record of a server call that
 * every part of the library shares.
 *
 * <p>The first part that sees a call (the chain, or a part used alone) opens the scope and becomes
 * its owner: it wraps the call once ({@link #startNext}), and the scope itself is the call's
 * listener wrapper. That one pair attaches the scope's {@link Context} (unless the stream tracer
 * put the scope in the call's own Context, which grpc-java attaches already), puts every MDC entry
 * the parts registered around each callback, and around {@code sendHeaders}, {@code sendMessage}
 * and {@code close} when the application calls them outside a callback, restores what the MDC held
 * before, echoes {@code x-trace-id} and {@code content-language}, counts messages, and tells the
 * observers how the call ended. Parts register values (trace ids, locale, principal) and observers
 * while the call starts; no part wraps the listener for the MDC itself.
 *
 * <p>Bytes per call are what the benchmarks measure, so the record is laid out to allocate little:
 * the scope is the listener (one object fewer), the MDC keys, values and what each bracket saved
 * share one array, and the call wrapper makes its own saved-MDC array only when the application
 * sends from outside a callback (inside one, the entries are already in place).
 *
 * <p>A part that is already active on the call ({@link #enter}) passes through, so a chain
 * installed twice behaves as one.
 *
 * <p>Values are written while the call starts, on the thread that runs {@code interceptCall}, and
 * read later on callback threads; grpc-java's hand-off between them orders the two. This class is
 * thread-safe in that sense.
 */
public final class ServerCallScope extends ServerCall.Listener<Object> {

  private static final Context.Key<ServerCallScope> KEY = Context.key("grpcmiddleware-call");

  /**
   * {@link #traceFlags()} of a trace that started on this server with no tracer deciding on
   * sampling: core's client interceptor then chooses the flags it sends.
   */
  public static final int TRACE_STARTED_HERE = -1;

  /**
   * MDC slots, in the order they are put; each has a key, a value and a saved entry in {@link
   * #mdc}.
   */
  static final int TRACE = 0;

  static final int SPAN = 1;
  static final int REQUEST = 2;
  static final int LOCALE = 3;
  static final int PRINCIPAL = 4;
  static final int SLOTS = 5;

  static final Metadata.Key<String> X_TRACE_ID =
      Metadata.Key.of("x-trace-id", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> CONTENT_LANGUAGE =
      Metadata.Key.of("content-language", Metadata.ASCII_STRING_MARSHALLER);

  final long startNanos;
  final boolean viaTracer;

  /** The Context the owner's wrappers attach; null when the tracer put the scope in the call's. */
  private @Nullable Context context;

  /**
   * The call's own Context when the scope was opened without the tracer, for its cancel cause: the
   * Context the wrappers attach may be derived from another part's (OpenTelemetry's, with its
   * Context storage override), which need not carry the call's cancellation.
   */
  private @Nullable Context callContext;

  private @Nullable Object owner;
  private boolean started;

  private @Nullable MethodDescriptor<?, ?> method;
  private String fullMethodName;
  private @Nullable Metadata headers;
  private @Nullable SocketAddress peer;
  private long deadlineNanos = -1;

  // Per slot: key, value, and what the MDC held under the key before the current bracket put it.
  // A slot is put when key and value are set. One array for all three (each array's header costs
  // 16 bytes per call), made when the first entry is registered: a part used alone that puts
  // nothing in the MDC (limits, validation, the access log) never pays for it.
  private @Nullable String @Nullable [] mdc;

  /**
   * The thread inside one of the owner's brackets (the start, or a listener callback), else null.
   * Only the thread itself compares it with itself, which its own program order makes exact.
   */
  private @Nullable Thread bracketThread;

  /** The application's listener, which the scope wraps; set when the owner starts the call. */
  private ServerCall.Listener<Object> listener = NO_LISTENER;

  private @Nullable String traceId;
  private @Nullable String spanId;
  private int traceFlags;
  private @Nullable String traceState;
  private boolean spanIsParent;
  boolean echoTraceId;

  private @Nullable Locale locale;
  @Nullable String contentLanguage;

  private volatile @Nullable Principal principal;
  private volatile @Nullable Throwable mappedException;

  volatile int received;
  volatile int sent;
  volatile @Nullable Status closeStatus;

  /** The status the observers were told; guarded by {@code this} with the observer fields. */
  private @Nullable Status endStatus;

  // The first parts and observers in fields: most calls have at most three and two, and the
  // arrays (32 bytes each) are made only for more.
  private @Nullable Object part0;
  private @Nullable Object part1;
  private @Nullable Object part2;
  private Object @Nullable [] moreParts;
  private int morePartCount;
  private @Nullable ServerCallObserver observer0;
  private @Nullable ServerCallObserver observer1;
  private ServerCallObserver @Nullable [] moreObservers;
  private int moreObserverCount;

  private static final ServerCall.Listener<Object> NO_LISTENER =
      new ServerCall.Listener<Object>() {};

  ServerCallScope(long startNanos, boolean viaTracer, String fullMethodName) {
    this.startNanos = startNanos;
    this.viaTracer = viaTracer;
    this.fullMethodName = fullMethodName;
  }

  /**
   * Returns the scope of the call whose Context is current.
   *
   * @return the scope, or null outside a call of the library's parts
   */
  public static @Nullable ServerCallScope current() {
    return KEY.get();
  }

  /**
   * Returns the scope held in a Context captured from a call.
   *
   * @param context the Context; not null
   * @return the scope, or null when it holds none
   */
  public static @Nullable ServerCallScope fromContext(Context context) {
    return KEY.get(context);
  }

  /**
   * Returns a Context holding a scope of no call with just {@code locale}, for resolving messages
   * outside a call (tests, batch jobs).
   *
   * @param parent the parent Context; not null
   * @param locale the locale; not null
   * @return the Context; never null
   */
  public static Context withLocale(Context parent, Locale locale) {
    ServerCallScope scope = new ServerCallScope(System.nanoTime(), false, "");
    scope.setLocale(locale, locale.toLanguageTag(), null, false);
    return attach(parent, scope);
  }

  static Context attach(Context parent, ServerCallScope scope) {
    return parent.withValue(KEY, scope);
  }

  /**
   * Returns the scope of {@code call}: the current one, or a new one (with its own Context, which
   * the owner's wrappers attach). The first caller becomes the owner and must call {@link
   * #startNext} to start the rest of the call.
   *
   * @param part the part opening it; not null
   * @param call the call; not null
   * @return the scope; never null
   */
  public static ServerCallScope open(Object part, ServerCall<?, ?> call) {
    ServerCallScope scope = KEY.get();
    if (scope == null) {
      scope =
          new ServerCallScope(
              System.nanoTime(), false, call.getMethodDescriptor().getFullMethodName());
      Context current = Context.current();
      scope.callContext = current;
      scope.context = attach(current, scope);
    }
    if (scope.owner == null) {
      scope.owner = part;
      scope.describe(call);
    }
    return scope;
  }

  void started(MethodDescriptor<?, ?> method, @Nullable SocketAddress peer) {
    this.method = method;
    this.fullMethodName = method.getFullMethodName();
    this.peer = peer;
  }

  void describe(ServerCall<?, ?> call) {
    if (method == null) {
      method = call.getMethodDescriptor();
      fullMethodName = call.getMethodDescriptor().getFullMethodName();
      peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    }
  }

  /**
   * Marks {@code part} active on this call.
   *
   * @param part the part (the same instance for every call it handles); not null
   * @return false when it was already active (installed twice): the caller then passes through
   */
  public boolean enter(Object part) {
    if (part0 == part || part1 == part || part2 == part) {
      return false;
    }
    if (part0 == null) {
      part0 = part;
      return true;
    }
    if (part1 == null) {
      part1 = part;
      return true;
    }
    if (part2 == null) {
      part2 = part;
      return true;
    }
    Object[] more = moreParts;
    if (more == null) {
      more = new Object[4];
      moreParts = more;
    }
    for (int i = 0; i < morePartCount; i++) {
      if (more[i] == part) {
        return false;
      }
    }
    if (morePartCount == more.length) {
      more = Arrays.copyOf(more, morePartCount * 2);
      moreParts = more;
    }
    more[morePartCount++] = part;
    return true;
  }

  /**
   * Starts the rest of the call. The owner wraps the call and the listener (once per call) and
   * starts {@code next} with the scope's MDC entries put and its Context attached; any other part
   * just starts {@code next}.
   *
   * @param part the part calling; not null
   * @param call the call; not null
   * @param headers the headers; not null
   * @param next the rest of the chain; not null
   * @param <ReqT> request type
   * @param <RespT> response type
   * @return the listener; never null
   */
  @SuppressWarnings("unchecked") // the scope forwards each callback to the listener it was given
  public <ReqT, RespT> ServerCall.Listener<ReqT> startNext(
      Object part,
      ServerCall<ReqT, RespT> call,
      Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    if (owner != part || started) {
      return next.startCall(call, headers);
    }
    started = true;
    this.headers = headers;
    ScopedServerCall<ReqT, RespT> scoped = new ScopedServerCall<>(call, this);
    Context previous = enter();
    try {
      listener = (ServerCall.Listener<Object>) next.startCall(scoped, headers);
    } catch (RuntimeException | Error e) {
      // grpc-java closes the call with this status itself, past every wrapper.
      if (!viaTracer) {
        end(Status.fromThrowable(e));
      }
      throw e;
    } finally {
      exit(previous);
    }
    return (ServerCall.Listener<ReqT>) (ServerCall.Listener<?>) this;
  }

  /**
   * Derives the Context the owner's wrappers attach from the current one, for a part that made its
   * own Context current after opening the scope (OpenTelemetry's, when it keeps its Context in
   * io.grpc.Context, or the limits part's capped Context). The cancel cause is still read from the
   * call's Context.
   *
   * @return true when the owner's wrappers attach the derived Context from now on; false when they
   *     attach none (the stream tracer put the scope in the call's own Context) or the call started
   *     already, so the caller attaches its Context itself
   */
  public boolean deriveContextFromCurrent() {
    if (context != null && !started) {
      context = attach(Context.current(), this);
      return true;
    }
    return false;
  }

  /** The Context the owner's wrappers attach, or null when grpc-java attaches it (tracer). */
  @Nullable Context ownContext() {
    return context;
  }

  /** Opens a bracket: attaches the Context (when the scope has one) and puts the MDC entries. */
  private @Nullable Context enter() {
    Context attached = context;
    Context previous = attached == null ? null : attached.attach();
    bracketThread = Thread.currentThread();
    @Nullable String[] entries = mdc;
    for (int i = 0; entries != null && i < SLOTS; i++) {
      String key = entries[3 * i];
      String value = entries[3 * i + 1];
      if (key != null && value != null) {
        entries[3 * i + 2] = MDC.get(key);
        MDC.put(key, value);
      }
    }
    return previous;
  }

  /** Closes the bracket {@link #enter} opened, restoring the MDC and the Context. */
  private void exit(@Nullable Context previous) {
    try {
      @Nullable String[] entries = mdc;
      for (int i = SLOTS - 1; entries != null && i >= 0; i--) {
        String key = entries[3 * i];
        if (key != null && entries[3 * i + 1] != null) {
          restore(key, entries[3 * i + 2]);
          entries[3 * i + 2] = null;
        }
      }
    } finally {
      bracketThread = null;
      Context attached = context;
      if (attached != null) {
        attached.detach(previous);
      }
    }
  }

  /**
   * Whether the current thread is inside one of the owner's brackets with this call's entries still
   * in the MDC: not only the thread (another call's bracket can be open inside this one on the same
   * thread, an in-process call under {@code directExecutor()}, and put its own entries), and not
   * after the application removed them. Each entry is compared by identity: the scope put that very
   * instance.
   */
  @SuppressWarnings("ReferenceEquality") // the instance this scope put, not an equal one
  boolean inBracket() {
    if (bracketThread != Thread.currentThread()) {
      return false;
    }
    @Nullable String[] entries = mdc;
    for (int i = 0; entries != null && i < SLOTS; i++) {
      String key = entries[3 * i];
      String value = entries[3 * i + 1];
      if (key != null && value != null && MDC.get(key) != value) {
        return false;
      }
    }
    return true;
  }

  void putMdc(@Nullable String[] saved) {
    @Nullable String[] entries = mdc;
    for (int i = 0; entries != null && i < SLOTS; i++) {
      String key = entries[3 * i];
      String value = entries[3 * i + 1];
      if (key != null && value != null) {
        saved[i] = MDC.get(key);
        MDC.put(key, value);
      }
    }
  }

  void restoreMdc(@Nullable String[] saved) {
    @Nullable String[] entries = mdc;
    for (int i = SLOTS - 1; entries != null && i >= 0; i--) {
      String key = entries[3 * i];
      if (key != null && entries[3 * i + 1] != null) {
        restore(key, saved[i]);
        saved[i] = null;
      }
    }
  }

  private static void restore(String key, @Nullable String previous) {
    if (previous == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, previous);
    }
  }

  private void putSlot(int slot, @Nullable String key, @Nullable String value) {
    @Nullable String[] entries = mdc;
    if (entries == null) {
      if (key == null || value == null) {
        return; // nothing registered yet, nothing to register
      }
      entries = new String[SLOTS * 3];
      mdc = entries;
    }
    String oldKey = entries[3 * slot];
    boolean wasPut = oldKey != null && entries[3 * slot + 1] != null;
    // Inside the owner's bracket on this thread, a new entry is put at once (and restored at exit).
    boolean live = bracketThread == Thread.currentThread();
    if (live && wasPut && !oldKey.equals(key)) {
      // A part replaced the key inside a bracket: give the old key back what it held.
      restore(oldKey, entries[3 * slot + 2]);
      entries[3 * slot + 2] = null;
      wasPut = false;
    }
    entries[3 * slot] = key;
    entries[3 * slot + 1] = value;
    if (live && key != null && value != null) {
      if (!wasPut) {
        entries[3 * slot + 2] = MDC.get(key);
      }
      MDC.put(key, value);
    }
  }

  /** Whether a part registered an MDC key for {@code slot}. */
  private boolean hasKey(int slot) {
    @Nullable String[] entries = mdc;
    return entries != null && entries[3 * slot] != null;
  }

  /**
   * Puts the MDC entries of this call on the current thread, for code that logs outside a callback;
   * the returned array goes back to {@link #restoreMdcEntries}.
   *
   * @return what the MDC held before; never null
   */
  public @Nullable String[] putMdcEntries() {
    @Nullable String[] saved = new String[SLOTS];
    putMdc(saved);
    return saved;
  }

  /**
   * Restores what {@link #putMdcEntries} replaced.
   *
   * @param saved its result; not null
   */
  public void restoreMdcEntries(@Nullable String[] saved) {
    restoreMdc(saved);
  }

  // ---- trace

  /**
   * Sets the call's trace, unless a trace part already did.
   *
   * @param traceId the trace id; not null
   * @param spanId the call's span id, or null
   * @param flags the trace flags, or {@link #TRACE_STARTED_HERE}
   * @param traceState the {@code tracestate} to continue, or null
   * @param requestId the sanitised {@code x-request-id}, or null
   * @param traceKey the trace id's MDC key; not null
   * @param spanKey the span id's MDC key, or null to leave it out of the MDC
   * @param requestKey the request id's MDC key; not null
   * @param echo whether responses carry {@code x-trace-id}
   * @param spanIsParent whether {@code spanId} is a real span (the otel module's) that outgoing
   *     calls name as their parent
   * @return false when the call already has a trace (the caller passes through)
   */
  public boolean setTrace(
      String traceId,
      @Nullable String spanId,
      int flags,
      @Nullable String traceState,
      @Nullable String requestId,
      String traceKey,
      @Nullable String spanKey,
      String requestKey,
      boolean echo,
      boolean spanIsParent) {
    if (this.traceId != null) {
      return false;
    }
    this.traceId = traceId;
    this.spanId = spanId;
    this.traceFlags = flags;
    this.traceState = traceState;
    this.spanIsParent = spanIsParent && spanId != null;
    this.echoTraceId = echo;
    putSlot(TRACE, traceKey, traceId);
    putSlot(SPAN, spanId == null ? null : spanKey, spanId);
    putSlot(REQUEST, requestId == null ? null : requestKey, requestId);
    return true;
  }

  /** Returns the trace id, or null when no trace part ran. */
  public @Nullable String traceId() {
    return traceId;
  }

  /** Returns the span id the trace part chose, or null. */
  public @Nullable String spanId() {
    return spanId;
  }

  /** Whether {@link #spanId()} is a real span that outgoing calls name as their parent. */
  public boolean spanIsParent() {
    return spanIsParent;
  }

  /** Returns the trace flags, or {@link #TRACE_STARTED_HERE}. */
  public int traceFlags() {
    return traceFlags;
  }

  /** Returns the incoming {@code tracestate}, kept only with a valid {@code traceparent}. */
  public @Nullable String traceState() {
    return traceState;
  }

  // ---- locale

  /**
   * Sets the call's locale. A second, different locale part (a per-service chain inside a
   * server-wide one) resolves again against its own supported locales, and its locale, the one the
   * service's messages are in, replaces the first.
   *
   * @param locale the locale; not null
   * @param tag its language tag, for the MDC and {@code content-language}; not null
   * @param mdcKey the MDC key, or null for none
   * @param contentLanguage whether responses carry {@code content-language}
   */
  public void setLocale(
      Locale locale, String tag, @Nullable String mdcKey, boolean contentLanguage) {
    this.locale = locale;
    this.contentLanguage = contentLanguage ? tag : null;
    if (mdcKey != null || !hasKey(LOCALE)) {
      putSlot(LOCALE, mdcKey, tag);
    }
  }

  /** Returns the resolved locale, or null when no locale part ran. */
  public @Nullable Locale locale() {
    return locale;
  }

  // ---- principal

  /**
   * Sets the authenticated principal. A second, different auth part (a per-service chain inside a
   * server-wide one) authenticates the call again, and its principal, the one the service acts for,
   * replaces the first.
   *
   * @param principal the principal; not null
   * @param mdcKey the MDC key for its name, or null for none
   */
  public void setPrincipal(Principal principal, @Nullable String mdcKey) {
    this.principal = principal;
    if (mdcKey != null || !hasKey(PRINCIPAL)) {
      putSlot(PRINCIPAL, mdcKey, principal.getName());
    }
  }

  /** Returns the authenticated principal, or null. */
  public @Nullable Principal principal() {
    return principal;
  }

  // ---- outcome

  /** Records the exception error mapping turned into the call's status. */
  public void setMappedException(Throwable exception) {
    this.mappedException = exception;
  }

  /** Returns the exception error mapping turned into the call's status, or null. */
  public @Nullable Throwable mappedException() {
    return mappedException;
  }

  /**
   * Registers an observer told once how the call ended. An observer registered after the end (the
   * transport reported a reset while the call was still starting) is told at once.
   *
   * @param observer the observer; not null
   */
  public void observe(ServerCallObserver observer) {
    Status ended;
    synchronized (this) {
      ended = endStatus;
      if (ended == null) {
        add(observer);
        return;
      }
      if (registered(observer)) {
        return; // told already (the transport's end named it among the unknown-method observers)
      }
      add(observer);
    }
    tellWithMdc(observer, null, null, 0, ended);
  }

  /** Whether {@code observer} is registered already; called holding the lock. */
  private boolean registered(ServerCallObserver observer) {
    if (observer0 == observer || observer1 == observer) {
      return true;
    }
    ServerCallObserver[] more = moreObservers;
    for (int i = 0; more != null && i < moreObserverCount; i++) {
      if (more[i] == observer) {
        return true;
      }
    }
    return false;
  }

  private void add(ServerCallObserver observer) {
    if (observer0 == null) {
      observer0 = observer;
      return;
    }
    if (observer1 == null) {
      observer1 = observer;
      return;
    }
    ServerCallObserver[] more = moreObservers;
    if (more == null) {
      more = new ServerCallObserver[4];
      moreObservers = more;
    } else if (moreObserverCount == more.length) {
      more = Arrays.copyOf(more, moreObserverCount * 2);
      moreObservers = more;
    }
    more[moreObserverCount++] = observer;
  }

  /**
   * Ends the call: tells every observer, once. The transport (a reset) and the wrappers can both
   * end a call, on different threads; the first one wins.
   *
   * @param status the status the caller received
   */
  void end(Status status) {
    ServerCallObserver first;
    ServerCallObserver second;
    ServerCallObserver[] more;
    int moreCount;
    synchronized (this) {
      if (endStatus != null) {
        return;
      }
      endStatus = status;
      first = observer0;
      second = observer1;
      more = moreObservers;
      moreCount = moreObserverCount;
    }
    if (first != null) {
      tellWithMdc(first, second, more, moreCount, status);
    }
  }

  /**
   * Tells the observers, with this call's MDC entries on the thread: the transport may report the
   * end on a thread with no MDC of this call (observers log). Inside one of the call's own brackets
   * (a listener callback, or a close that ends the call on the spot, as in-process) they are there.
   */
  private void tellWithMdc(
      ServerCallObserver first,
      @Nullable ServerCallObserver second,
      ServerCallObserver @Nullable [] more,
      int moreCount,
      Status status) {
    @Nullable String[] saved = inBracket() ? null : putMdcEntries();
    try {
      tell(first, status);
      tell(second, status);
      for (int i = 0; more != null && i < moreCount; i++) {
        tell(more[i], status);
      }
    } finally {
      if (saved != null) {
        restoreMdc(saved);
      }
    }
  }

  private void tell(@Nullable ServerCallObserver observer, Status status) {
    if (observer == null) {
      return;
    }
    try {
      observer.callEnded(this, status);
    } catch (RuntimeException e) {
      // An observer's failure must not hide the call's end from the others.
      LoggerFactory.getLogger(ServerCallScope.class).debug("observer {} failed", observer, e);
    }
  }

  /** Ends a call the transport reported closed before any wrapper saw it as a call. */
  void endUnknown(Status status, ServerCallObserver[] unknownObservers) {
    if (method == null) {
      for (ServerCallObserver observer : unknownObservers) {
        observe(observer);
      }
    }
    end(status);
  }

  /** Called by the owner's listener when the call completed (no tracer installed). */
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

  /** Called by the owner's listener when the call was cancelled (no tracer installed). */
  void cancelled() {
    Context call = callContext;
    if (viaTracer || call == null) {
      return;
    }
    Status cancelled = Contexts.statusFromCancelled(call);
    end(cancelled != null ? cancelled : Status.CANCELLED);
  }

  /** Returns the method, or null when the server does not know it. */
  public @Nullable MethodDescriptor<?, ?> method() {
    return method;
  }

  /** Returns the full method name the caller asked for (caller-controlled for unknown methods). */
  public String fullMethodName() {
    return fullMethodName;
  }

  /** Returns the call's headers, or null before the call started. */
  public @Nullable Metadata headers() {
    return headers;
  }

  void setHeaders(Metadata headers) {
    this.headers = headers;
  }

  /** Returns the remote address, or null when unknown. */
  public @Nullable SocketAddress peer() {
    return peer;
  }

  /**
   * Records the time the current Context's deadline leaves the call, for a part that reports it
   * (the access log); called while the call starts, so it is the deadline the client sent. Only
   * such a part pays for the look-up.
   */
  public void recordDeadline() {
    Deadline deadline = Context.current().getDeadline();
    deadlineNanos =
        deadline == null ? -1 : Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS));
  }

  /**
   * Returns the time the call had left when {@link #recordDeadline()} ran, in nanoseconds.
   *
   * @return the time left, or -1 when the call had no deadline
   */
  public long deadlineNanos() {
    return deadlineNanos;
  }

  /** Returns when the call started, in {@link System#nanoTime()} units. */
  public long startNanos() {
    return startNanos;
  }

  /** Returns how many messages the application received. */
  public int received() {
    return received;
  }

  /** Returns how many messages the application sent. */
  public int sent() {
    return sent;
  }

  /** Whether the transport reports the call's end (the stream tracer is installed). */
  public boolean viaTracer() {
    return viaTracer;
  }

  // ---- the listener: the owner's one bracket around every callback

  @Override
  @SuppressWarnings("NonAtomicVolatileUpdate") // callbacks are serialized
  public void onMessage(Object message) {
    Context previous = enter();
    try {
      received++;
      listener.onMessage(message);
    } finally {
      exit(previous);
    }
  }

  @Override
  public void onHalfClose() {
    Context previous = enter();
    try {
      listener.onHalfClose();
    } finally {
      exit(previous);
    }
  }

  @Override
  public void onReady() {
    Context previous = enter();
    try {
      listener.onReady();
    } finally {
      exit(previous);
    }
  }

  @Override
  public void onCancel() {
    Context previous = enter();
    try {
      listener.onCancel();
    } finally {
      try {
        cancelled();
      } finally {
        exit(previous);
      }
    }
  }

  @Override
  public void onComplete() {
    Context previous = enter();
    try {
      listener.onComplete();
    } finally {
      try {
        completed();
      } finally {
        exit(previous);
      }
    }
  }

  @Override
  public String toString() {
    return "ServerCallScope{" + fullMethodName + "}";
  }
}
