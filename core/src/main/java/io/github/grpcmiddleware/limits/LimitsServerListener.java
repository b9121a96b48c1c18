package io.github.grpcmiddleware.limits;

import io.grpc.Context;
import io.grpc.ForwardingServerCallListener;
import io.grpc.ServerCall;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the call's callbacks under the capped Context (when the deadline was capped and the call's
 * scope does not attach it already), and when the call ends gives every permit back, takes the call
 * off its cap's timer and cancels that Context, exactly once. grpc-java ends every call it started
 * with {@code onComplete} or {@code onCancel}, also the calls it closes itself (an undecodable
 * request, a deadline, a broken connection). When starting the call throws there is no listener and
 * the interceptor calls {@link #end} itself.
 *
 * <p>This class is thread-safe.
 */
final class LimitsServerListener<ReqT>
    extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT> {

  private static final Logger logger = LoggerFactory.getLogger(LimitsServerListener.class);

  private final Permit @Nullable [] permits;
  private final int permitCount;
  private final @Nullable CappedServerCall<?, ?> capped;
  private final Context.@Nullable CancellableContext attached;
  private static final AtomicIntegerFieldUpdater<LimitsServerListener<?>> ENDED = newUpdater();

  private volatile int ended;

  LimitsServerListener(
      ServerCall.Listener<ReqT> delegate,
      Permit @Nullable [] permits,
      int permitCount,
      @Nullable CappedServerCall<?, ?> capped,
      boolean attach) {
    super(delegate);
    this.permits = permits;
    this.permitCount = permitCount;
    this.capped = capped;
    this.attached = capped != null && attach ? capped.context : null;
  }

  @SuppressWarnings({"unchecked", "rawtypes"}) // the updater does not depend on ReqT
  private static AtomicIntegerFieldUpdater<LimitsServerListener<?>> newUpdater() {
    return (AtomicIntegerFieldUpdater)
        AtomicIntegerFieldUpdater.newUpdater(LimitsServerListener.class, "ended");
  }

  @Override
  public void onMessage(ReqT message) {
    Context previous = attach();
    try {
      super.onMessage(message);
    } finally {
      detach(previous);
    }
  }

  @Override
  public void onHalfClose() {
    Context previous = attach();
    try {
      super.onHalfClose();
    } finally {
      detach(previous);
    }
  }

  @Override
  public void onReady() {
    Context previous = attach();
    try {
      super.onReady();
    } finally {
      detach(previous);
    }
  }

  @Override
  public void onCancel() {
    Context previous = attach();
    try {
      super.onCancel();
    } finally {
      detach(previous);
      if (ENDED.compareAndSet(this, 0, 1)) {
        end(permits, permitCount, capped);
      }
    }
  }

  @Override
  public void onComplete() {
    Context previous = attach();
    try {
      super.onComplete();
    } finally {
      detach(previous);
      if (ENDED.compareAndSet(this, 0, 1)) {
        end(permits, permitCount, capped);
      }
    }
  }

  private @Nullable Context attach() {
    Context.CancellableContext context = attached;
    return context == null ? null : context.attach();
  }

  private void detach(@Nullable Context previous) {
    Context.CancellableContext context = attached;
    if (context != null && previous != null) {
      context.detach(previous);
    }
  }

  /** Releases the permits, stops the cap's timer and cancels the capped Context; never throws. */
  static void end(
      Permit @Nullable [] permits, int permitCount, @Nullable CappedServerCall<?, ?> capped) {
    if (permits != null) {
      for (int i = 0; i < permitCount; i++) {
        release(permits[i]);
      }
    }
    if (capped != null) {
      capped.finish();
    }
  }

  static void release(Permit permit) {
    try {
      permit.release();
    } catch (RuntimeException e) {
      logger.debug("a permit's release threw; ignored", e);
    }
  }
}
