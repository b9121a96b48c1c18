package io.github.grpcmiddleware.limits;

import io.github.grpcmiddleware.internal.ChainPart;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rejects calls without a required deadline, applies the limits and caps deadlines.
 *
 * <p>Installed twice (server-wide and per service, or in a chain and alone), the same instance
 * counts a call once: the inner one finds itself already entered in the call's scope and passes
 * through. Used alone, it opens that scope itself.
 */
final class LimitsServerInterceptor implements ServerInterceptor, ChainPart {
  private static final Logger logger = LoggerFactory.getLogger(LimitsServerInterceptor.class);

  /** Swallows the messages and half-close a rejected call may still deliver. */
  private static final ServerCall.Listener<Object> REJECTED = new ServerCall.Listener<Object>() {};

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
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
    ServerCallScope scope = ServerCallScope.open(this, call);
    if (!scope.enter(this)) {
      // This same part already limits the call: one permit, one token, one timer.
      return scope.startNext(this, call, headers, next);
    }
    Context current = Context.current();
    Deadline deadline = current.getDeadline();
    if (deadline == null && deadlineRequired.matches(method)) {
      notify(method, "deadline", LimitType.DEADLINE_REQUIRED);
      LimitRejection.deadlineRequired(call);
      return rejected();
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
        LimitsServerListener.end(permits, count, null);
        throw e;
      }
      if (!permit.isGranted()) {
        LimitsServerListener.end(permits, count, null);
        notify(method, rule.name, rule.type);
        LimitRejection.limit(call, rule, key, permit.retryAfterNanos());
        return rejected();
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
      if (permits == null) {
        return scope.startNext(this, call, headers, next);
      }
      return start(scope, call, headers, next, permits, count, null, false);
    }
    // The capped Context gets its deadline without a timer task of its own: the cap's timer
    // cancels it (see DeadlineOnlyScheduler).
    Context.CancellableContext capped =
        current.withDeadline(
            Deadline.after(cap, TimeUnit.NANOSECONDS), DeadlineOnlyScheduler.INSTANCE);
    CappedServerCall<ReqT, RespT> cappedCall =
        new CappedServerCall<>(call, cap, capped, timers[capIndex]);
    Context previous = capped.attach();
    try {
      // Alone (the scope's owner), the scope's wrappers attach the capped Context from now on;
      // inside a chain, this part's listener attaches it around each callback.
      boolean attachedByScope = scope.deriveContextFromCurrent();
      try {
        cappedCall.startTimer();
      } catch (RuntimeException | Error e) {
        // No timer (a shut-down scheduler, no thread to be had): the call never starts, and the
        // permits it took go back.
        LimitsServerListener.end(permits, count, cappedCall);
        throw e;
      }
      return start(scope, cappedCall, headers, next, permits, count, cappedCall, !attachedByScope);
    } finally {
      capped.detach(previous);
    }
  }

  private <ReqT, RespT> ServerCall.Listener<ReqT> start(
      ServerCallScope scope,
      ServerCall<ReqT, RespT> call,
      Metadata headers,
      ServerCallHandler<ReqT, RespT> next,
      Permit @Nullable [] permits,
      int count,
      @Nullable CappedServerCall<?, ?> capped,
      boolean attach) {
    ServerCall.Listener<ReqT> listener;
    try {
      listener = scope.startNext(this, call, headers, next);
    } catch (RuntimeException | Error e) {
      LimitsServerListener.end(permits, count, capped);
      throw e;
    }
    return new LimitsServerListener<>(listener, permits, count, capped, attach);
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

  @SuppressWarnings("unchecked") // REJECTED ignores every message, whatever its type
  private static <ReqT> ServerCall.Listener<ReqT> rejected() {
    return (ServerCall.Listener<ReqT>) REJECTED;
  }
}
