package io.github.grpcmiddleware.limits;

import io.github.grpcmiddleware.errors.MessageKeys;
import io.github.grpcmiddleware.errors.ServiceException;
import io.github.grpcmiddleware.internal.PipelineCall;
import io.github.grpcmiddleware.internal.ServerCallObserver;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.internal.ServerPart;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.Collections;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the limits part took for one call: its permits and, when the call's deadline was capped, the
 * capped Context and the call's place in the cap's {@link CapTimer}. It is the call's end hook:
 * when the call ends, however it ends, the permits go back, the call leaves the timer and the
 * capped Context is cancelled, exactly once. When the cap passes first, the capped Context is
 * cancelled (with a {@link TimeoutException}, as grpc-java cancels it for a deadline the client
 * sent) and the call is closed with {@code DEADLINE_EXCEEDED} from the timer's thread; the service
 * is told {@code onCancel}, and what it sends afterwards is dropped.
 *
 * <p>This class is thread-safe.
 */
final class LimitedCall implements ServerCallObserver, Runnable {
  private static final Logger logger = LoggerFactory.getLogger(LimitedCall.class);

  /** The {@code google.rpc.ErrorInfo} reason of a call the cap ended. */
  static final String CAPPED_REASON = "DEADLINE_CAPPED";

  private final Permit @Nullable [] permits;
  private final int permitCount;

  // The cap, when the deadline was capped; else capNanos is -1 and the rest is null.
  final long capNanos;
  final Context.@Nullable CancellableContext context;
  private final @Nullable CapTimer timer;
  private final @Nullable PipelineCall<?, ?> call;
  private final @Nullable ServerPart part;

  // The lane timer's links (the call is its own node: no timer task per call); guarded by
  // CapTimer's lock.
  @Nullable LimitedCall timerPrev;
  @Nullable LimitedCall timerNext;
  long dueNanos;
  boolean timed;

  /** The task of a scheduler the application gave instead; null with the lane timer. */
  volatile @Nullable ScheduledFuture<?> scheduled;

  /** A call whose permits go back when it ends; its deadline is not capped. */
  LimitedCall(Permit[] permits, int permitCount) {
    this(permits, permitCount, -1, null, null, null, null);
  }

  /** A call whose deadline is capped (and whose permits, if any, go back when it ends). */
  LimitedCall(
      Permit @Nullable [] permits,
      int permitCount,
      long capNanos,
      Context.@Nullable CancellableContext context,
      @Nullable CapTimer timer,
      @Nullable PipelineCall<?, ?> call,
      @Nullable ServerPart part) {
    this.permits = permits;
    this.permitCount = permitCount;
    this.capNanos = capNanos;
    this.context = context;
    this.timer = timer;
    this.call = call;
    this.part = part;
  }

  /** Starts the cap's timer; the caller makes sure the call's end follows. */
  void startTimer() {
    CapTimer capTimer = timer;
    if (capTimer != null) {
      capTimer.start(this);
    }
  }

  /** The cap passed (on a scheduler the application gave). */
  @Override
  public void run() {
    expire();
  }

  /** Ends the call because the cap passed, unless it has ended already. */
  void expire() {
    PipelineCall<?, ?> capped = call;
    ServerPart limits = part;
    Context.CancellableContext cappedContext = context;
    if (capped == null || limits == null || cappedContext == null || !capped.claim(true)) {
      return;
    }
    // The close is claimed first: a handler that wakes on the cancellation and closes the call
    // itself is too late.
    cappedContext.cancel(new TimeoutException("context timed out"));
    long capMillis = TimeUnit.NANOSECONDS.toMillis(capNanos);
    String millis = Long.toString(capMillis);
    String description =
        "Deadline exceeded: the server allows at most " + millis + " ms for this method";
    // The cause makes an error-mapping part outside render it in the caller's language (and never
    // take it for a dependency's DEADLINE_EXCEEDED to translate); without one, the description
    // goes out as it is. The argument is text: a number would be formatted with digit grouping.
    LimitExceededException cause =
        new LimitExceededException(
            ServiceException.builder(Status.Code.DEADLINE_EXCEEDED, MessageKeys.DEADLINE_CAPPED)
                .args(millis)
                .defaultMessage("The server allows at most {0} ms for this method.")
                .errorInfo(
                    CAPPED_REASON,
                    LimitRejection.DOMAIN,
                    Collections.singletonMap("capMillis", millis)));
    capped.closeClaimed(
        limits,
        Status.DEADLINE_EXCEEDED.withDescription(description).withCause(cause),
        new Metadata());
  }

  /** The call ended: permits back, off the timer, capped Context cancelled; never throws. */
  @Override
  public void callEnded(ServerCallScope scope, Status status) {
    end();
  }

  void end() {
    Permit[] taken = permits;
    for (int i = 0; taken != null && i < permitCount; i++) {
      release(taken[i]);
    }
    CapTimer capTimer = timer;
    try {
      if (capTimer != null) {
        capTimer.stop(this);
      }
    } finally {
      Context.CancellableContext cappedContext = context;
      if (cappedContext != null) {
        cappedContext.cancel(null);
      }
    }
  }

  /** Gives back the first {@code count} of {@code permits}; never throws. */
  static void release(Permit @Nullable [] permits, int count) {
    for (int i = 0; permits != null && i < count; i++) {
      release(permits[i]);
    }
  }

  /** Gives back {@code permit}; never throws. */
  static void release(Permit permit) {
    try {
      permit.release();
    } catch (RuntimeException e) {
      logger.debug("a permit's release threw; ignored", e);
    }
  }
}
