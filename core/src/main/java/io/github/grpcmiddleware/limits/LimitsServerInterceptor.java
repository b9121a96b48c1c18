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

  LimitsServerInterceptor(
      MethodSelector deadlineRequired,
      DeadlineCap[] caps,
      CapTimer[] timers,
      LimitRule[] rules,
      @Nullable RejectionListener rejections) {
    super(LIMITS, ON_START);
    this.deadlineRequired = deadlineRequired;
    this.caps = caps;
    this.timers = timers;
    this.rules = rules;
    this.rejections = rejections;
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

  /** The timer of the cap at {@code index}; for tests. */
  CapTimer capTimer(int index) {
    return timers[index];
  }

  @Override
  public String chainSlot() {
    return "limits";
  }

  @Override
  public String describe() {
    return "Limits";
  }

  @Override
  public StartResult start(ServerCallScope scope, PipelineCall<?, ?> call, Metadata headers) {
    MethodDescriptor<?, ?> method = call.getMethodDescriptor();
    Context current = Context.current();
    Deadline deadline = current.getDeadline();
    if (deadline == null && deadlineRequired.matches(method)) {
      notify(method, "deadline", LimitType.DEADLINE_REQUIRED);
      LimitRejection.deadlineRequired(call);
      return StartResult.REJECTED;
    }
    Permit @Nullable [] permits = null;
    int count = 0;
    for (LimitRule rule : rules) {
      if (!rule.applies(method)) {
        continue;
      }
      Permit permit;
      String key;
      try {
        key = rule.keyOf(call, headers);
        permit = rule.tryAcquire(key);
      } catch (RuntimeException | Error e) {
        LimitedCall.release(permits, count);
        throw e;
      }
      if (!permit.isGranted()) {
        LimitedCall.release(permits, count);
        notify(method, rule.name, rule.type);
        LimitRejection.limit(call, rule, key, permit.retryAfterNanos());
        return StartResult.REJECTED;
      }
      if (permit != Permits.GRANTED) {
        if (permits == null) {
          permits = new Permit[rules.length];
        }
        permits[count++] = permit;
      }
    }
    int capIndex = capOf(method);
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
