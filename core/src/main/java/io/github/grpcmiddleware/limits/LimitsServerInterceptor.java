package io.github.grpcmiddleware.limits;

import io.github.grpcmiddleware.internal.PipelineCall;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.internal.ServerPart;
import io.github.grpcmiddleware.internal.StartResult;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rejects calls without a required deadline, applies the limits and caps deadlines: the start hook
 * of the limits part. What a call took (permits, its place on the cap's timer, the capped Context)
 * is a {@link LimitedCall} registered as the call's end hook, so it comes back however the call
 * ends; a call that takes nothing to give back (a rate limit's token, no cap) allocates nothing.
 *
 * <p>A limit that asks a store ({@link LimitsServerBuilder#asyncLimit}) makes the call wait for the
 * answer without holding a thread; the call then goes on, with the next limit, on the call executor
 * ({@link LimitsServerBuilder#callExecutor}). The all-synchronous path allocates nothing for this.
 *
 * <p>Installed twice (server-wide and per service, or in a chain and alone), the same instance
 * counts a call once; another instance (a global limit that runs before auth, say) counts it too.
 */
final class LimitsServerInterceptor extends ServerPart {
  private static final Logger logger = LoggerFactory.getLogger(LimitsServerInterceptor.class);

  private final MethodSelector deadlineRequired;
  private final DeadlineCap[] caps;
  private final CapTimer[] timers;
  private final LimitRule[] rules;
  private final @Nullable RejectionListener rejections;
  private final Executor callExecutor;

  LimitsServerInterceptor(
      MethodSelector deadlineRequired,
      DeadlineCap[] caps,
      CapTimer[] timers,
      LimitRule[] rules,
      @Nullable RejectionListener rejections,
      Executor callExecutor) {
    super(LIMITS, ON_START, "limits", "Limits");
    this.deadlineRequired = deadlineRequired;
    this.caps = caps;
    this.timers = timers;
    this.rules = rules;
    this.rejections = rejections;
    this.callExecutor = callExecutor;
  }

  /** The rule with the given name; for tests. */
  LimitRule rule(String name) {
    for (LimitRule rule : rules) {
      if (rule.name.equals(name)) {
        return rule;
      }
    }
    throw new IllegalArgumentException("name: \"" + name + "\" (expected: a configured limit)");
  }

  /** The rule at {@code index}, in the order configured. */
  LimitRule rule(int index) {
    return rules[index];
  }

  int ruleCount() {
    return rules.length;
  }

  /** The timer of the cap at {@code index}; for tests. */
  CapTimer capTimer(int index) {
    return timers[index];
  }

  @Override
  public StartResult start(ServerCallScope scope, PipelineCall<?, ?> call, Metadata headers) {
    MethodDescriptor<?, ?> method = call.getMethodDescriptor();
    if (Context.current().getDeadline() == null && deadlineRequired.matches(method)) {
      notify(method, "deadline", LimitType.DEADLINE_REQUIRED);
      return LimitRejection.deadlineRequired(call, this);
    }
    return take(scope, call, headers, 0, null, 0, null);
  }

  /**
   * Takes a permit of each limit of the call from {@code rules[from]} on, in order, then caps the
   * deadline. An asynchronous limit whose answer is not there yet makes the call wait ({@link
   * WaitingLimits}), which comes back here with the next limit once it has the answer.
   *
   * @param permits the permits taken so far, given back on a rejection; null when none
   * @param count how many of {@code permits} are taken
   * @param waiting the call's wait, when it has waited already
   */
  StartResult take(
      ServerCallScope scope,
      PipelineCall<?, ?> call,
      Metadata headers,
      int from,
      Permit @Nullable [] permits,
      int count,
      @Nullable WaitingLimits waiting) {
    MethodDescriptor<?, ?> method = call.getMethodDescriptor();
    for (int i = from; i < rules.length; i++) {
      LimitRule rule = rules[i];
      if (!rule.applies(method)) {
        continue;
      }
      Permit permit;
      String key;
      try {
        key = rule.keyOf(call, headers);
        if (rule.isAsync()) {
          CompletableFuture<Permit> decision = rule.acquire(key, method);
          if (!decision.isDone()) {
            WaitingLimits wait = waiting;
            if (wait == null) {
              wait = new WaitingLimits(this, callExecutor);
              scope.observe(wait); // what it holds goes back if the call ends while it waits
            }
            return wait.await(i, key, decision, permits, count);
          }
          permit = decision.join(); // answered at once: the call goes on on this thread
        } else {
          permit = rule.tryAcquire(key);
        }
      } catch (RuntimeException | Error e) {
        LimitedCall.release(permits, count);
        throw e;
      }
      if (!permit.isGranted()) {
        LimitedCall.release(permits, count);
        return rejected(call, rule, key, permit);
      }
      if (permit != Permits.GRANTED) {
        if (permits == null) {
          permits = new Permit[rules.length];
        }
        permits[count++] = permit;
      }
    }
    return cap(scope, call, permits, count);
  }

  /** Rejects the call for {@code rule}, whose decision {@code permit} refused it. */
  StartResult rejected(PipelineCall<?, ?> call, LimitRule rule, String key, Permit permit) {
    MethodDescriptor<?, ?> method = call.getMethodDescriptor();
    if (StoreGuard.isUnavailable(permit)) {
      notify(method, rule.name, LimitType.UNAVAILABLE);
      return LimitRejection.unavailable(call, this, rule);
    }
    notify(method, rule.name, rule.type);
    return LimitRejection.limit(call, this, rule, key, permit.retryAfterNanos());
  }

  /** Caps the call's deadline, and registers what the call took as its end hook. */
  private StartResult cap(
      ServerCallScope scope, PipelineCall<?, ?> call, Permit @Nullable [] permits, int count) {
    Context current = Context.current();
    Deadline deadline = current.getDeadline();
    int capIndex = capOf(call.getMethodDescriptor());
    long cap = capIndex < 0 ? -1 : caps[capIndex].nanos;
    if (cap < 0 || (deadline != null && deadline.timeRemaining(TimeUnit.NANOSECONDS) <= cap)) {
      // No timer, no Context: the deadline the call has is within the cap (or there is no cap).
      if (permits != null) {
        scope.observe(new LimitedCall(permits, count));
      }
      return StartResult.CONTINUE;
    }
    // The capped Context gets its deadline without a timer task of its own: the cap's timer
    // cancels it (see DeadlineOnlyScheduler).
    Context.CancellableContext capped =
        current.withDeadline(
            Deadline.after(cap, TimeUnit.NANOSECONDS), DeadlineOnlyScheduler.INSTANCE);
    LimitedCall limited =
        new LimitedCall(permits, count, cap, capped, timers[capIndex], call, this);
    try {
      limited.startTimer();
    } catch (RuntimeException | Error e) {
      // No timer (a shut-down scheduler, no thread to be had): the call never starts, and what it
      // took goes back.
      limited.end();
      throw e;
    }
    scope.observe(limited);
    // Every later callback of the call, and the rest of its start, runs in the capped Context.
    scope.useContext(capped);
    return StartResult.CONTINUE;
  }

  /** The index of the first cap of {@code method}, or -1. */
  private int capOf(MethodDescriptor<?, ?> method) {
    for (int i = 0; i < caps.length; i++) {
      if (caps[i].methods.matches(method)) {
        return i;
      }
    }
    return -1;
  }

  private void notify(MethodDescriptor<?, ?> method, String limitName, LimitType type) {
    RejectionListener listener = rejections;
    if (listener == null) {
      return;
    }
    try {
      listener.rejected(method, limitName, type);
    } catch (RuntimeException e) {
      logger.debug("a RejectionListener threw; ignored", e);
    }
  }
}
