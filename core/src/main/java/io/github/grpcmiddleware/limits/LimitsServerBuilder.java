package io.github.grpcmiddleware.limits;

import io.github.grpcmiddleware.internal.DecisionThreads;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.ServerInterceptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Configures the server limits part; obtained from {@link Limits#serverBuilder()}.
 *
 * <p>For each call, in this order: a call without a deadline to a method of {@link
 * #requireDeadline(MethodSelector)} is rejected; then every limit whose methods match takes a
 * permit (in the order added; the first that refuses rejects the call and the permits already taken
 * go back); then the first matching {@link #deadlineCap(MethodSelector, Duration)} shortens a
 * missing or longer deadline.
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs and the interceptor it returns is
 * immutable and thread-safe.
 */
public final class LimitsServerBuilder {

  /** Default of {@link #maxKeys(int)}. */
  public static final int DEFAULT_MAX_KEYS = 10_000;

  private MethodSelector deadlineRequired = MethodSelector.none();
  private final List<DeadlineCap> caps = new ArrayList<>();
  private final List<LimitDraft> rules = new ArrayList<>();
  private int maxKeys = DEFAULT_MAX_KEYS;
  private @Nullable RejectionListener rejections;
  private @Nullable ScheduledExecutorService scheduler;
  private @Nullable Executor callExecutor;
  private LongSupplier ticker = System::nanoTime;

  LimitsServerBuilder() {}

  /**
   * Caps the deadline of the selected methods: a call that arrives with no deadline or a longer one
   * runs with {@code cap} instead, so that {@code Context.current().getDeadline()} in the handler
   * and every call the handler makes downstream see it; when it passes, the call is closed with
   * {@code DEADLINE_EXCEEDED} and its Context is cancelled. A shorter deadline is kept. When
   * several caps match a method, the first added wins.
   *
   * @param methods the methods; not null
   * @param cap the longest deadline granted; not null, positive
   * @return this builder
   */
  public LimitsServerBuilder deadlineCap(MethodSelector methods, Duration cap) {
    requireNonNull(methods, "methods");
    requireNonNull(cap, "cap");
    if (cap.isNegative() || cap.isZero()) {
      throw new IllegalArgumentException("cap: " + cap + " (expected: > 0)");
    }
    caps.add(new DeadlineCap(methods, Permits.saturatedNanos(cap)));
    return this;
  }

  /**
   * Rejects calls to the selected methods that arrive without a deadline, with {@code
   * RESOURCE_EXHAUSTED} and a {@code google.rpc.ErrorInfo} of reason {@code DEADLINE_REQUIRED} (not
   * {@code INVALID_ARGUMENT} or {@code FAILED_PRECONDITION}: the gRPC status code guide keeps those
   * for the application; see docs/limits.md). May be called several times; the selections add up.
   *
   * @param methods the methods; not null
   * @return this builder
   */
  public LimitsServerBuilder requireDeadline(MethodSelector methods) {
    requireNonNull(methods, "methods");
    deadlineRequired = deadlineRequired.or(methods);
    return this;
  }

  /**
   * Adds a concurrency limit: at most {@code maxInFlight} calls of the selected methods in flight
   * per key. A permit is taken before the service sees the call and given back exactly once when
   * the call ends, however it ends.
   *
   * @param name names the limit in {@code QuotaFailure}, {@code ErrorInfo} and metrics; not null,
   *     not empty, unique in this builder
   * @param methods the methods it applies to; not null
   * @param key what is counted separately; not null
   * @param maxInFlight calls in flight per key; at least 1
   * @return this builder
   */
  public LimitsServerBuilder concurrencyLimit(
      String name, MethodSelector methods, LimitKey key, int maxInFlight) {
    requireNonNull(name, "name");
    requireNonNull(methods, "methods");
    requireNonNull(key, "key");
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight: " + maxInFlight + " (expected: >= 1)");
    }
    rules.add(
        LimitDraft.of(
            name,
            LimitType.CONCURRENCY,
            "at most " + maxInFlight + " calls in flight",
            methods,
            key,
            ticker -> k -> new ConcurrencyLimiter(maxInFlight, ticker)));
    return this;
  }

  /**
   * Adds a rate limit: a token bucket per key holding {@code permits} tokens, refilled at {@code
   * permits} per {@code per} (one token every {@code per / permits}). A full bucket lets a burst of
   * {@code permits} calls through; a rejection's {@code RetryInfo} says when the next token comes.
   *
   * @param name names the limit in {@code QuotaFailure}, {@code ErrorInfo} and metrics; not null,
   *     not empty, unique in this builder
   * @param methods the methods it applies to; not null
   * @param key what is counted separately; not null
   * @param permits the bucket's size and the calls per {@code per}; at least 1
   * @param per the period; not null, at least {@code permits} nanoseconds
   * @return this builder
   */
  public LimitsServerBuilder rateLimit(
      String name, MethodSelector methods, LimitKey key, int permits, Duration per) {
    requireNonNull(name, "name");
    requireNonNull(methods, "methods");
    requireNonNull(key, "key");
    requireNonNull(per, "per");
    if (permits < 1) {
      throw new IllegalArgumentException("permits: " + permits + " (expected: >= 1)");
    }
    long interval = Permits.saturatedNanos(per) / permits;
    if (per.isNegative() || interval < 1) {
      throw new IllegalArgumentException(
          "per: " + per + " (expected: at least " + permits + " ns, one per permit)");
    }
    rules.add(
        LimitDraft.of(
            name,
            LimitType.RATE,
            permits + " calls per " + per,
            methods,
            key,
            ticker -> k -> new TokenBucketLimiter(permits, interval, ticker)));
    return this;
  }

  /**
   * Adds a limit decided by limiters of your own (for example adapters for Resilience4j or
   * Bucket4j), one per key, created by {@code factory} when a key is first seen.
   *
   * @param name names the limit in {@code QuotaFailure}, {@code ErrorInfo} and metrics; not null,
   *     not empty, unique in this builder
   * @param type what kind of limit it is (the rejection's message and metric reason); not null
   * @param methods the methods it applies to; not null
   * @param key what is counted separately; not null
   * @param factory creates the limiter of a key; not null
   * @return this builder
   */
  public LimitsServerBuilder limit(
      String name, LimitType type, MethodSelector methods, LimitKey key, LimiterFactory factory) {
    requireNonNull(name, "name");
    requireNonNull(methods, "methods");
    requireNonNull(key, "key");
    requireNonNull(type, "type");
    requireNonNull(factory, "factory");
    requireLimitType(type);
    rules.add(LimitDraft.of(name, type, type.tag() + " limit", methods, key, ticker -> factory));
    return this;
  }

  private static void requireLimitType(LimitType type) {
    if (type == LimitType.DEADLINE_REQUIRED) {
      throw new IllegalArgumentException(
          "type: DEADLINE_REQUIRED (expected: CONCURRENCY or RATE; see requireDeadline)");
    }
    if (type == LimitType.UNAVAILABLE) {
      throw new IllegalArgumentException(
          "type: UNAVAILABLE (expected: CONCURRENCY or RATE; see AsyncLimitOptions)");
    }
  }

  /**
   * Adds a limit decided by asynchronous limiters, one per key, created by {@code factory} when a
   * key is first seen; with the {@linkplain AsyncLimitOptions#defaults() default options} (fail
   * open, {@link AsyncLimitOptions#DEFAULT_TIMEOUT}).
   *
   * @param name names the limit in {@code QuotaFailure}, {@code ErrorInfo}, metrics and log lines;
   *     not null, not empty, unique in this builder
   * @param type what kind of limit it is; not null, {@code CONCURRENCY} or {@code RATE}
   * @param methods the methods it applies to; not null
   * @param key what is counted separately; not null
   * @param factory creates the limiter of a key; not null
   * @return this builder
   * @see #asyncLimit(String, LimitType, MethodSelector, LimitKey, AsyncLimiterFactory,
   *     AsyncLimitOptions)
   */
  public LimitsServerBuilder asyncLimit(
      String name,
      LimitType type,
      MethodSelector methods,
      LimitKey key,
      AsyncLimiterFactory factory) {
    return asyncLimit(name, type, methods, key, factory, AsyncLimitOptions.defaults());
  }

  /**
   * Adds a limit decided by asynchronous limiters (for example Bucket4j buckets in a Redis shared
   * by every replica, from the {@code grpc-middleware-bucket4j} module), one per key, created by
   * {@code factory} when a key is first seen. The limits part waits for a limiter's answer without
   * holding a thread, at most {@code options}' timeout; when the store fails or is late the call
   * goes on (fail open, the default) or gets {@code UNAVAILABLE} (fail closed), with one WARN line
   * per outage. A rejection is a {@code RESOURCE_EXHAUSTED} like any other limit's. Limits are
   * still taken one after the other in the order added; once a limiter answered later than the call
   * started, the call goes on on the {@link #callExecutor(Executor) call executor}.
   *
   * @param name names the limit in {@code QuotaFailure}, {@code ErrorInfo}, metrics and log lines;
   *     not null, not empty, unique in this builder
   * @param type what kind of limit it is; not null, {@code CONCURRENCY} or {@code RATE}
   * @param methods the methods it applies to; not null
   * @param key what is counted separately; not null
   * @param factory creates the limiter of a key; not null
   * @param options timeout, fail open or closed, description; not null
   * @return this builder
   */
  public LimitsServerBuilder asyncLimit(
      String name,
      LimitType type,
      MethodSelector methods,
      LimitKey key,
      AsyncLimiterFactory factory,
      AsyncLimitOptions options) {
    requireNonNull(name, "name");
    requireNonNull(type, "type");
    requireNonNull(methods, "methods");
    requireNonNull(key, "key");
    requireNonNull(factory, "factory");
    requireNonNull(options, "options");
    requireLimitType(type);
    String description = options.description();
    rules.add(
        LimitDraft.async(
            name,
            type,
            description != null ? description : type.tag() + " limit",
            methods,
            key,
            factory,
            options));
    return this;
  }

  /**
   * Bounds the keys each limit keeps state for (except {@link LimitKey#global()}, which has one);
   * when a new key arrives at a full limit, the least recently used key is forgotten and starts
   * afresh if it comes back. Keys that a caller chooses (spoofed peers, made-up principals)
   * therefore cannot grow the heap; a per-key limit is only as strong as its key, so put a {@link
   * LimitKey#global()} limit in front when callers can make keys up.
   *
   * @param max at least 1; default {@value #DEFAULT_MAX_KEYS}
   * @return this builder
   */
  public LimitsServerBuilder maxKeys(int max) {
    this.maxKeys = max;
    return this;
  }

  /**
   * Sets who hears about every rejected call, such as {@link
   * io.github.grpcmiddleware.metrics.LimitMetrics#rejectionCounter}.
   *
   * @param listener the listener; not null
   * @return this builder
   */
  public LimitsServerBuilder rejectionListener(RejectionListener listener) {
    this.rejections = requireNonNull(listener, "listener");
    return this;
  }

  /**
   * Sets the timer of capped deadlines and of the asynchronous limits' timeouts: it runs one task
   * per capped call, cancelled when the call ends, and one per call waiting for a store, cancelled
   * when the store answers. By default one daemon thread shared by the JVM times the calls of each
   * cap in start order, with no task per call and no wake-up per call (cheaper; see
   * docs/limits.md), and another one runs the store timeouts.
   *
   * @param timer the scheduler; not null; never shut down by the library
   * @return this builder
   */
  public LimitsServerBuilder scheduler(ScheduledExecutorService timer) {
    this.scheduler = requireNonNull(timer, "timer");
    return this;
  }

  /**
   * Sets where a call goes on once an asynchronous limit ({@link #asyncLimit}) that made it wait
   * has decided: the rest of the limits, the parts after them and the service's handler (for a
   * streaming method; a unary one runs when its request arrives) run there. Pass the server's own
   * executor ({@code ServerBuilder.executor(...)}), so that the service runs where it always does.
   *
   * <p>By default a small pool owned by the library ({@code max(2, available processors)} daemon
   * threads, ended after 30 s idle): the service never runs on the thread that completed the
   * decision (a Redis client's I/O thread, the timeout's timer), but a service that blocks holds
   * one of those few threads. A decision that was there when the call started (a limiter that
   * answered at once, a store known to be down) needs no executor: the call goes on on its own
   * thread. Used only by asynchronous limits.
   *
   * @param executor the executor; not null; never shut down by the library
   * @return this builder
   */
  public LimitsServerBuilder callExecutor(Executor executor) {
    this.callExecutor = requireNonNull(executor, "executor");
    return this;
  }

  /**
   * Sets the clock of the built-in limiters (tests use a fake one); System::nanoTime by default.
   */
  LimitsServerBuilder ticker(LongSupplier nanoTime) {
    this.ticker = requireNonNull(nanoTime, "nanoTime");
    return this;
  }

  /**
   * Builds the interceptor.
   *
   * @return the interceptor; never null
   * @throws IllegalArgumentException when a setting is out of range or two limits share a name
   */
  public ServerInterceptor build() {
    LimitRule[] built = buildRules();
    ScheduledExecutorService timer = scheduler;
    // One timer per cap: a lane's calls all have the same cap, so they expire in start order.
    CapTimer[] timers = new CapTimer[caps.size()];
    for (int i = 0; i < timers.length; i++) {
      timers[i] = timer != null ? CapTimer.on(timer) : CapTimer.newLane();
    }
    Executor executor = callExecutor;
    return new LimitsServerInterceptor(
        deadlineRequired,
        caps.toArray(new DeadlineCap[0]),
        timers,
        built,
        rejections,
        executor != null ? executor : DecisionThreads.callExecutor());
  }

  /**
   * Builds the limits in the order added, synchronous and asynchronous.
   *
   * @throws IllegalArgumentException when a setting is out of range or two limits share a name
   */
  LimitRule[] buildRules() {
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys: " + maxKeys + " (expected: >= 1)");
    }
    Set<String> names = new HashSet<>();
    ScheduledExecutorService timer = scheduler;
    LimitRule[] built = new LimitRule[rules.size()];
    for (int i = 0; i < built.length; i++) {
      LimitDraft rule = rules.get(i);
      if (!names.add(rule.name)) {
        throw new IllegalArgumentException(
            "name: \"" + rule.name + "\" (expected: unique; used by two limits)");
      }
      built[i] =
          rule.build(maxKeys, ticker, rejections, timer != null ? timer : DecisionThreads.timer());
    }
    return built;
  }

  private static <T> T requireNonNull(@Nullable T value, String name) {
    if (value == null) {
      throw new NullPointerException(name);
    }
    return value;
  }
}
