package io.github.grpcmiddleware.limits;

import io.github.grpcmiddleware.internal.ChainPart;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Rejects calls without a required deadline, applies the limits and caps deadlines. */
final class LimitsServerInterceptor implements ServerInterceptor, ChainPart {
  private static final Logger logger = LoggerFactory.getLogger(LimitsServerInterceptor.class);

  /** Swallows the messages and half-close a rejected call may still deliver. */
  private static final ServerCall.Listener<Object> REJECTED = new ServerCall.Listener<Object>() {};

  private static final Executor DIRECT = Runnable::run;

  private final MethodSelector deadlineRequired;
  private final DeadlineCap[] caps;
  private final LimitRule[] rules;
  private final @Nullable RejectionListener rejections;
  private final ScheduledExecutorService scheduler;

  LimitsServerInterceptor(
      MethodSelector deadlineRequired,
      DeadlineCap[] caps,
      LimitRule[] rules,
      @Nullable RejectionListener rejections,
      ScheduledExecutorService scheduler) {
    this.deadlineRequired = deadlineRequired;
    this.caps = caps;
    this.rules = rules;
    this.rejections = rejections;
    this.scheduler = scheduler;
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

  @Override
  public String chainSlot() {
    return "limits";
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
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
    long cap = capNanos(method);
    if (cap < 0 || (deadline != null && deadline.timeRemaining(TimeUnit.NANOSECONDS) <= cap)) {
      if (permits == null) {
        return next.startCall(call, headers);
      }
      return start(call, headers, next, permits, count, null);
    }
    Context.CancellableContext capped =
        current.withDeadlineAfter(cap, TimeUnit.NANOSECONDS, scheduler);
    CappedServerCall<ReqT, RespT> cappedCall = new CappedServerCall<>(call, cap);
    capped.addListener(
        context -> {
          if (context.cancellationCause() instanceof TimeoutException) {
            cappedCall.expire();
          }
        },
        DIRECT);
    Context previous = capped.attach();
    try {
      return start(cappedCall, headers, next, permits, count, capped);
    } finally {
      capped.detach(previous);
    }
  }

  private static <ReqT, RespT> ServerCall.Listener<ReqT> start(
      ServerCall<ReqT, RespT> call,
      Metadata headers,
      ServerCallHandler<ReqT, RespT> next,
      Permit @Nullable [] permits,
      int count,
      Context.@Nullable CancellableContext capped) {
    ServerCall.Listener<ReqT> listener;
    try {
      listener = next.startCall(call, headers);
    } catch (RuntimeException | Error e) {
      LimitsServerListener.end(permits, count, capped);
      throw e;
    }
    return new LimitsServerListener<>(listener, permits, count, capped);
  }

  private long capNanos(MethodDescriptor<?, ?> method) {
    for (DeadlineCap cap : caps) {
      if (cap.methods.matches(method)) {
        return cap.nanos;
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
