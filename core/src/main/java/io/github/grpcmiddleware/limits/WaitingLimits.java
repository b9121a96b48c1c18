package io.github.grpcmiddleware.limits;

import io.github.grpcmiddleware.internal.PipelineCall;
import io.github.grpcmiddleware.internal.ServerCallObserver;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.internal.StartResult;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * A call whose limits wait for a store: holds the permits taken before, hears the store's decision
 * (on whatever thread completes it), and has the limits part go on with it on the call executor,
 * inside the call's bracket, from the limit it waited for. It is the call's end hook while the call
 * waits: when the call ends meanwhile (a cancel, a deadline), what it holds goes back at once, and
 * a permit the decision brings later goes back when it comes. Each permit goes back exactly once.
 *
 * <p>The call's end cannot run while the pipeline starts the call (it waits for the start), so the
 * permits change hands only between a wait ({@link #await}) and its decision: the lock guards that.
 */
final class WaitingLimits
    implements ServerCallObserver,
        BiConsumer<@Nullable Permit, @Nullable Throwable>,
        StartResult.Continuation {
  private final LimitsServerInterceptor part;
  private final Executor executor;

  // Set by await, read by the continuation: the wait happens between them.
  private StartResult.@Nullable Pending pending;
  private int rule;
  private String key = "";

  // Guarded by this: the permits held while the call waits, the decision, whether the call ended.
  private Permit @Nullable [] permits;
  private int count;
  private @Nullable Permit decided;
  private boolean ended;

  WaitingLimits(LimitsServerInterceptor part, Executor executor) {
    this.part = part;
    this.executor = executor;
  }

  /** Waits for the decision of {@code rules[index]}, holding the permits taken so far. */
  StartResult await(
      int index,
      String callKey,
      CompletableFuture<Permit> decision,
      Permit @Nullable [] taken,
      int taking) {
    StartResult.Pending waiting = StartResult.later(executor);
    synchronized (this) {
      pending = waiting;
      rule = index;
      key = callKey;
      permits = taken;
      count = taking;
    }
    decision.whenComplete(this);
    return waiting;
  }

  /** The store's decision (never exceptional: the store guard maps failures and timeouts). */
  @Override
  public void accept(@Nullable Permit permit, @Nullable Throwable error) {
    StartResult.Pending waiting;
    boolean late;
    synchronized (this) {
      waiting = pending;
      late = ended;
      if (!late) {
        decided = permit;
      }
    }
    if (late && permit != null) {
      LimitedCall.release(permit);
    }
    if (waiting != null) {
      waiting.proceed(this); // the pipeline runs it only if the call is still on
    }
  }

  /** The limits part goes on, on the call executor, inside the call's bracket. */
  @Override
  public StartResult start(ServerCallScope scope, PipelineCall<?, ?> call, Metadata headers) {
    Permit permit;
    Permit[] taken;
    int taking;
    synchronized (this) {
      permit = decided;
      taken = permits;
      taking = count;
      decided = null;
      permits = null;
      count = 0;
    }
    LimitRule limit = part.rule(rule);
    if (permit == null) {
      permit = Permits.GRANTED; // cannot happen: the store guard always decides
    }
    if (!permit.isGranted()) {
      LimitedCall.release(taken, taking);
      return part.rejected(call, limit, key, permit);
    }
    if (permit != Permits.GRANTED) {
      if (taken == null) {
        taken = new Permit[part.ruleCount()];
      }
      taken[taking++] = permit;
    }
    return part.take(scope, call, headers, rule + 1, taken, taking, this);
  }

  /** The call ended: what it holds goes back, once. */
  @Override
  public void callEnded(ServerCallScope scope, Status status) {
    Permit[] taken;
    int taking;
    Permit permit;
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      taken = permits;
      taking = count;
      permit = decided;
      permits = null;
      count = 0;
      decided = null;
    }
    LimitedCall.release(taken, taking);
    if (permit != null) {
      LimitedCall.release(permit);
    }
  }
}
