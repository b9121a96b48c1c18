package io.github.grpcmiddleware.limits;

import io.github.grpcmiddleware.errors.MessageKeys;
import io.github.grpcmiddleware.errors.ServiceException;
import io.github.grpcmiddleware.internal.GuardedServerCall;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.Collections;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A call whose deadline the server capped. It owns the capped Context and its place in the cap's
 * {@link CapTimer}: when the cap passes, the Context is cancelled (with a {@link TimeoutException},
 * as grpc-java cancels it for a deadline the client sent) and the call is closed with {@code
 * DEADLINE_EXCEEDED} from the timer's thread. What the handler sends or closes afterwards is
 * dropped ({@link GuardedServerCall}); a handler that checks {@code
 * Context.current().isCancelled()} stops. When the call ends first, {@link #finish()} takes it off
 * the timer and cancels the Context.
 *
 * <p>This class is thread-safe.
 */
final class CappedServerCall<ReqT, RespT> extends GuardedServerCall<ReqT, RespT>
    implements Runnable {
  /** The {@code google.rpc.ErrorInfo} reason of a call the cap ended. */
  static final String CAPPED_REASON = "DEADLINE_CAPPED";

  final long capNanos;
  final Context.CancellableContext context;
  private final CapTimer timer;
  private volatile boolean expired;

  // The lane timer's links (the call is its own node: no timer task per call); guarded by
  // CapTimer's lock.
  @Nullable CappedServerCall<?, ?> timerPrev;
  @Nullable CappedServerCall<?, ?> timerNext;
  long dueNanos;
  boolean timed;

  /** The task of a scheduler the application gave instead; null with the lane timer. */
  volatile @Nullable ScheduledFuture<?> scheduled;

  CappedServerCall(
      ServerCall<ReqT, RespT> delegate,
      long capNanos,
      Context.CancellableContext context,
      CapTimer timer) {
    super(delegate);
    this.capNanos = capNanos;
    this.context = context;
    this.timer = timer;
  }

  /** Starts the cap's timer; the caller makes sure {@link #finish()} follows. */
  void startTimer() {
    timer.start(this);
  }

  /** The cap passed (on a scheduler the application gave). */
  @Override
  public void run() {
    expire();
  }

  /** Closes the call because the cap passed, unless it is closed already. */
  void expire() {
    if (!markClosedByPart()) {
      return;
    }
    expired = true;
    context.cancel(new TimeoutException("context timed out"));
    long capMillis = TimeUnit.NANOSECONDS.toMillis(capNanos);
    String description =
        "Deadline exceeded: the server allows at most " + capMillis + " ms for this method";
    // The cause makes an error-mapping part outside render it in the caller's language (and never
    // take it for a dependency's DEADLINE_EXCEEDED to translate); without one, the description
    // goes out as it is.
    LimitExceededException cause =
        new LimitExceededException(
            ServiceException.builder(Status.Code.DEADLINE_EXCEEDED, MessageKeys.DEADLINE_CAPPED)
                .args(capMillis)
                .defaultMessage("The server allows at most {0} ms for this method.")
                .errorInfo(
                    CAPPED_REASON,
                    LimitRejection.DOMAIN,
                    Collections.singletonMap("capMillis", Long.toString(capMillis))));
    closeDelegate(
        Status.DEADLINE_EXCEEDED.withDescription(description).withCause(cause), new Metadata());
  }

  /** The call ended: takes it off the timer and cancels the capped Context; never throws. */
  void finish() {
    try {
      timer.stop(this);
    } finally {
      context.cancel(null);
    }
  }

  @Override
  public boolean isCancelled() {
    return expired || super.isCancelled();
  }
}
