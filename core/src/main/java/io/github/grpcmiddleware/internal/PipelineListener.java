package io.github.grpcmiddleware.internal;

import io.grpc.ServerCall;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/**
 * This class is internal and is hence not for public use. Its APIs are unstable and can change at
 * any time.
 *
 * <p>The one listener wrapper of a pipeline. The owner's (the outermost pipeline's) puts the call's
 * Context and MDC entries around every callback (one bracket, for every part), counts the messages,
 * tells the record of the end when the stream tracer is not installed, and holds the call's events
 * while a start decision is pending, replaying them in order once it arrives. Every pipeline's
 * listener runs the message hooks of its parts, drops inbound events once one of its parts closed
 * the call, and hands what the service's callbacks throw to its failure part (error mapping).
 *
 * <p>The transport's end reaches the application as grpc-java delivers it, except that a call a
 * part ended while the application ran (a deadline cap, a request that failed validation), or whose
 * request grpc-java could not decode, ends with {@code onCancel}: the application's call did not
 * complete, and its cancel handler must run, as for a deadline the client sent.
 *
 * <p>A request grpc-java could not decode never reaches a listener: grpc-java closes the call
 * itself but may still deliver the half-close, and whatever the service then sends goes onto a
 * stream the transport ended, which makes Netty fail the whole connection. With the stream tracer,
 * the owner compares the messages the transport read with those it was given when the half-close
 * arrives: fewer given means one did not decode, and the half-close is dropped. (Interceptors
 * outside the pipeline are expected to deliver every message, as grpc-java's contract says.)
 *
 * <p>grpc-java serializes a call's callbacks; the replay after a pending decision keeps that (one
 * thread at a time drains the held events, in order).
 */
final class PipelineListener<ReqT> extends ServerCall.Listener<ReqT> {

  private static final ServerCall.Listener<Object> NOOP = new ServerCall.Listener<Object>() {};

  private static final Object HALF_CLOSE = new Object();
  private static final Object READY = new Object();
  private static final Object CANCEL = new Object();
  private static final Object COMPLETE = new Object();

  private final PipelineCall<ReqT, ?> call;
  private final ServerCallScope scope;
  private final ServerPipeline pipeline;
  private final boolean owner;

  @SuppressWarnings("unchecked") // NOOP ignores every message, whatever its type
  private volatile ServerCall.Listener<ReqT> inner = (ServerCall.Listener<ReqT>) NOOP;

  // A start decision of this pipeline that waits, armed once the start's bracket closed.
  private StartResult.@Nullable Pending pending;
  private @Nullable Runnable resume;

  // The owner's held events while any start decision of the call waits; guarded by this.
  private volatile boolean holding;
  private int holds;
  private @Nullable ArrayDeque<Object> held;

  PipelineListener(PipelineCall<ReqT, ?> call) {
    this.call = call;
    this.scope = call.scope;
    this.pipeline = call.pipeline;
    this.owner = call.owner;
    if (owner) {
      scope.ownerListener = this;
    }
  }

  /** The rest of the call started; its listener gets the events from now on. */
  void started(ServerCall.Listener<ReqT> listener) {
    inner = listener;
    call.applicationStarted = true;
  }

  /** The call was rejected (or failed) at start: events go nowhere. */
  void rejected() {}

  /**
   * A start decision of this pipeline waits: the owner holds the call's events until it arrives.
   */
  void waitFor(StartResult.Pending decision, Runnable onDecided) {
    pending = decision;
    resume = onDecided;
    PipelineListener<?> first = scope.ownerListener;
    if (first != null) {
      first.hold();
    }
  }

  /** Arms the waiting decision; called once the start's bracket closed. */
  void armWait() {
    StartResult.Pending decision = pending;
    Runnable run = resume;
    if (decision != null && run != null) {
      pending = null;
      resume = null;
      decision.whenDecided(run);
    }
  }

  /** The waiting decision was handled: the owner replays what it held when nothing else waits. */
  void decided() {
    PipelineListener<?> first = scope.ownerListener;
    if (first != null) {
      first.release();
    }
  }

  private synchronized void hold() {
    holds++;
    holding = true;
  }

  private void release() {
    synchronized (this) {
      if (--holds > 0) {
        return;
      }
    }
    for (; ; ) {
      Object event;
      synchronized (this) {
        ArrayDeque<Object> queue = held;
        event = queue == null ? null : queue.poll();
        if (event == null) {
          holding = false;
          return;
        }
      }
      replay(event);
    }
  }

  /** Holds {@code event} while a decision waits; false when it is to be delivered now. */
  private boolean held(Object event) {
    if (!holding) {
      return false;
    }
    synchronized (this) {
      if (!holding) {
        return false;
      }
      ArrayDeque<Object> queue = held;
      if (queue == null) {
        queue = new ArrayDeque<>();
        held = queue;
      }
      queue.add(event);
      return true;
    }
  }

  @SuppressWarnings("unchecked") // a held message is one of this call's requests
  private void replay(Object event) {
    if (event == HALF_CLOSE) {
      deliverHalfClose();
    } else if (event == READY) {
      deliverReady();
    } else if (event == CANCEL) {
      deliverCancel();
    } else if (event == COMPLETE) {
      deliverComplete();
    } else {
      deliverMessage((ReqT) ((Message) event).message);
    }
  }

  /** A held message (a request could be any object, even one of the markers above). */
  private static final class Message {
    final Object message;

    Message(Object message) {
      this.message = message;
    }
  }

  // ---- callbacks from grpc-java (or from the listener outside this pipeline)

  @Override
  @SuppressWarnings("NonAtomicVolatileUpdate") // callbacks are serialized
  public void onMessage(ReqT message) {
    if (owner) {
      scope.received++;
      if (holding && held(new Message(message))) {
        return;
      }
    }
    deliverMessage(message);
  }

  @Override
  public void onHalfClose() {
    if (owner) {
      if (scope.transportInbound > scope.received) {
        // grpc-java could not decode a request and closed the call itself: nothing may be sent.
        scope.mark(ServerCallScope.TRANSPORT_ENDED | ServerCallScope.ENDED_BY_LIBRARY);
        return;
      }
      if (held(HALF_CLOSE)) {
        return;
      }
    }
    deliverHalfClose();
  }

  @Override
  public void onReady() {
    if (owner && held(READY)) {
      return;
    }
    deliverReady();
  }

  @Override
  public void onCancel() {
    if (owner) {
      scope.mark(ServerCallScope.TRANSPORT_ENDED);
      if (holding) {
        scope.cancelled(); // a cancel while a decision waits ends the call at once
      }
      if (held(CANCEL)) {
        return;
      }
    }
    deliverCancel();
  }

  @Override
  public void onComplete() {
    if (owner) {
      scope.mark(ServerCallScope.TRANSPORT_ENDED);
      if (held(COMPLETE)) {
        return;
      }
    }
    deliverComplete();
  }

  // ---- delivery, inside the owner's bracket

  private void deliverMessage(ReqT message) {
    if (owner) {
      scope.enter();
    }
    try {
      if (dropsInbound()) {
        return;
      }
      int hooks = pipeline.messageMask & call.running;
      for (int i = 0; hooks != 0 && i < pipeline.parts.length; i++) {
        if ((hooks & (1 << i)) != 0 && !pipeline.parts[i].onMessage(scope, call, message)) {
          return;
        }
      }
      inner.onMessage(message);
    } catch (Throwable t) {
      failed(t, true);
    } finally {
      if (owner) {
        scope.exit();
      }
    }
  }

  private void deliverHalfClose() {
    if (owner) {
      scope.enter();
    }
    try {
      if (!dropsInbound()) {
        inner.onHalfClose();
      }
    } catch (Throwable t) {
      failed(t, true);
    } finally {
      if (owner) {
        scope.exit();
      }
    }
  }

  private void deliverReady() {
    if (owner) {
      scope.enter();
    }
    try {
      if (!dropsInbound()) {
        inner.onReady();
      }
    } catch (Throwable t) {
      failed(t, true);
    } finally {
      if (owner) {
        scope.exit();
      }
    }
  }

  private void deliverCancel() {
    if (owner) {
      scope.enter();
    }
    try {
      inner.onCancel();
    } catch (Throwable t) {
      failed(t, false);
    } finally {
      try {
        if (owner) {
          scope.cancelled();
        }
      } finally {
        if (owner) {
          scope.exit();
        }
      }
    }
  }

  private void deliverComplete() {
    if (owner) {
      scope.enter();
    }
    try {
      if (owner && scope.is(ServerCallScope.ENDED_BY_LIBRARY)) {
        inner.onCancel();
      } else {
        inner.onComplete();
      }
    } catch (Throwable t) {
      failed(t, false);
    } finally {
      try {
        if (owner) {
          scope.completed();
        }
      } finally {
        if (owner) {
          scope.exit();
        }
      }
    }
  }

  private boolean dropsInbound() {
    return call.closedByPart() || (owner && scope.transportEnded());
  }

  /**
   * A callback inside threw: the failure part maps it and closes the call; without one it goes
   * outwards (an outer pipeline's error mapping, or grpc-java, which closes the call with {@code
   * UNKNOWN} when an {@code onMessage}, {@code onHalfClose} or {@code onReady} threw). Errors are
   * never swallowed.
   */
  private void failed(Throwable failure, boolean grpcClosesCall) {
    if (call.fail(failure)) {
      if (failure instanceof Error) {
        throw (Error) failure;
      }
      return;
    }
    if (owner && grpcClosesCall) {
      scope.mark(ServerCallScope.TRANSPORT_ENDED);
    }
    throw sneaky(failure);
  }

  /** Rethrows {@code failure} as it is, checked or not (a callback may throw anything). */
  static RuntimeException sneaky(Throwable failure) {
    throw PipelineListener.<RuntimeException>rethrow(failure);
  }

  @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"}) // the cast is erased
  private static <T extends Throwable> T rethrow(Throwable failure) throws T {
    throw (T) failure;
  }
}
