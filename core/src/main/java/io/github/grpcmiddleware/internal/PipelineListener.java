package io.github.grpcmiddleware.internal;

import io.grpc.ServerCall;
import java.util.ArrayDeque;

/**
 * This class is internal and is hence not for public use. Its APIs are unstable and can change at
 * any time.
 *
 * <p>The listener side of a pipeline. The owner's (the outermost pipeline's) listener is the call's
 * record itself ({@link ServerCallScope}, one object fewer per call); a pipeline that joins the
 * call gets an instance of this class. The owner puts the call's Context and MDC entries around
 * every callback (one bracket, for every part), counts the messages, tells the record of the end
 * when the stream tracer is not installed, and holds the call's events while a start decision is
 * pending, replaying them in order once it arrives. Every pipeline's listener runs the message
 * hooks of its parts, drops inbound events once one of its parts closed the call, and hands what
 * the service's callbacks throw to its failure part (error mapping).
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

  private static final Object HALF_CLOSE = new Object();
  private static final Object READY = new Object();
  private static final Object CANCEL = new Object();
  private static final Object COMPLETE = new Object();

  private final PipelineCall<?, ?> call;

  PipelineListener(PipelineCall<?, ?> call) {
    this.call = call;
  }

  @Override
  public void onMessage(ReqT message) {
    onMessage(call.scope, call, message);
  }

  @Override
  public void onHalfClose() {
    onHalfClose(call.scope, call);
  }

  @Override
  public void onReady() {
    onReady(call.scope, call);
  }

  @Override
  public void onCancel() {
    onCancel(call.scope, call);
  }

  @Override
  public void onComplete() {
    onComplete(call.scope, call);
  }

  // ---- holding the owner's events while a start decision waits

  /** A start decision waits: the owner holds the call's events until it arrives. */
  static void hold(ServerCallScope scope) {
    synchronized (scope) {
      scope.extras().holds++;
      scope.mark(ServerCallScope.HOLDING);
    }
  }

  /** A waiting decision was handled: the owner replays what it held when nothing else waits. */
  static void release(ServerCallScope scope) {
    synchronized (scope) {
      if (--scope.extras().holds > 0) {
        return;
      }
    }
    PipelineCall<?, ?> call = scope.ownerCall;
    for (; ; ) {
      Object event;
      synchronized (scope) {
        ArrayDeque<Object> queue = scope.extras().held;
        event = queue == null ? null : queue.poll();
        if (event == null) {
          scope.unmark(ServerCallScope.HOLDING);
          return;
        }
      }
      if (call != null) {
        replay(scope, call, event);
      }
    }
  }

  /** Holds {@code event} while a decision waits; false when it is to be delivered now. */
  private static boolean held(ServerCallScope scope, Object event) {
    synchronized (scope) {
      if (!scope.is(ServerCallScope.HOLDING)) {
        return false;
      }
      CallExtras extras = scope.extras();
      ArrayDeque<Object> queue = extras.held;
      if (queue == null) {
        queue = new ArrayDeque<>();
        extras.held = queue;
      }
      queue.add(event);
      return true;
    }
  }

  private static void replay(ServerCallScope scope, PipelineCall<?, ?> call, Object event) {
    if (event == HALF_CLOSE) {
      deliverHalfClose(scope, call);
    } else if (event == READY) {
      deliverReady(scope, call);
    } else if (event == CANCEL) {
      deliverCancel(scope, call);
    } else if (event == COMPLETE) {
      deliverComplete(scope, call);
    } else {
      deliverMessage(scope, call, ((HeldMessage) event).message);
    }
  }

  /** A held message (a request could be any object, even one of the markers above). */
  private static final class HeldMessage {
    final Object message;

    HeldMessage(Object message) {
      this.message = message;
    }
  }

  // ---- callbacks from grpc-java (owner) or from the listener outside this pipeline

  @SuppressWarnings("NonAtomicVolatileUpdate") // callbacks are serialized
  static void onMessage(ServerCallScope scope, PipelineCall<?, ?> call, Object message) {
    if (call.owner) {
      scope.received++;
      if (scope.is(ServerCallScope.HOLDING) && held(scope, new HeldMessage(message))) {
        return;
      }
    }
    deliverMessage(scope, call, message);
  }

  static void onHalfClose(ServerCallScope scope, PipelineCall<?, ?> call) {
    if (call.owner) {
      if (scope.transportInbound > scope.received) {
        // grpc-java could not decode a request and closed the call itself: nothing may be sent.
        scope.mark(ServerCallScope.TRANSPORT_ENDED | ServerCallScope.ENDED_BY_LIBRARY);
        return;
      }
      if (scope.is(ServerCallScope.HOLDING) && held(scope, HALF_CLOSE)) {
        return;
      }
    }
    deliverHalfClose(scope, call);
  }

  static void onReady(ServerCallScope scope, PipelineCall<?, ?> call) {
    if (call.owner && scope.is(ServerCallScope.HOLDING) && held(scope, READY)) {
      return;
    }
    deliverReady(scope, call);
  }

  static void onCancel(ServerCallScope scope, PipelineCall<?, ?> call) {
    if (call.owner) {
      scope.mark(ServerCallScope.TRANSPORT_ENDED);
      if (scope.is(ServerCallScope.HOLDING)) {
        scope.cancelled(); // a cancel while a decision waits ends the call at once
        if (held(scope, CANCEL)) {
          return;
        }
      }
    }
    deliverCancel(scope, call);
  }

  static void onComplete(ServerCallScope scope, PipelineCall<?, ?> call) {
    if (call.owner) {
      scope.mark(ServerCallScope.TRANSPORT_ENDED);
      if (scope.is(ServerCallScope.HOLDING) && held(scope, COMPLETE)) {
        return;
      }
    }
    deliverComplete(scope, call);
  }

  // ---- delivery, inside the owner's bracket

  @SuppressWarnings("unchecked") // the pipeline's inner listener takes this call's requests
  private static void deliverMessage(
      ServerCallScope scope, PipelineCall<?, ?> call, Object message) {
    if (call.owner) {
      scope.enter();
    }
    try {
      if (dropsInbound(scope, call)) {
        return;
      }
      ServerPipeline pipeline = call.pipeline;
      int hooks = pipeline.messageMask & call.running;
      for (int i = 0; hooks != 0 && i < pipeline.parts.length; i++) {
        if ((hooks & (1 << i)) != 0 && !pipeline.parts[i].onMessage(scope, call, message)) {
          return;
        }
      }
      ((ServerCall.Listener<Object>) call.inner).onMessage(message);
    } catch (Throwable t) {
      failed(scope, call, t, true);
    } finally {
      if (call.owner) {
        scope.exit();
      }
    }
  }

  private static void deliverHalfClose(ServerCallScope scope, PipelineCall<?, ?> call) {
    if (call.owner) {
      scope.enter();
    }
    try {
      if (!dropsInbound(scope, call)) {
        call.inner.onHalfClose();
      }
    } catch (Throwable t) {
      failed(scope, call, t, true);
    } finally {
      if (call.owner) {
        scope.exit();
      }
    }
  }

  private static void deliverReady(ServerCallScope scope, PipelineCall<?, ?> call) {
    if (call.owner) {
      scope.enter();
    }
    try {
      if (!dropsInbound(scope, call)) {
        call.inner.onReady();
      }
    } catch (Throwable t) {
      failed(scope, call, t, true);
    } finally {
      if (call.owner) {
        scope.exit();
      }
    }
  }

  private static void deliverCancel(ServerCallScope scope, PipelineCall<?, ?> call) {
    if (call.owner) {
      scope.enter();
    }
    try {
      call.inner.onCancel();
    } catch (Throwable t) {
      failed(scope, call, t, false);
    } finally {
      try {
        if (call.owner) {
          scope.cancelled();
        }
      } finally {
        if (call.owner) {
          scope.exit();
        }
      }
    }
  }

  private static void deliverComplete(ServerCallScope scope, PipelineCall<?, ?> call) {
    if (call.owner) {
      scope.enter();
    }
    try {
      if (call.owner && scope.is(ServerCallScope.ENDED_BY_LIBRARY)) {
        call.inner.onCancel();
      } else {
        call.inner.onComplete();
      }
    } catch (Throwable t) {
      failed(scope, call, t, false);
    } finally {
      try {
        if (call.owner) {
          scope.completed();
        }
      } finally {
        if (call.owner) {
          scope.exit();
        }
      }
    }
  }

  private static boolean dropsInbound(ServerCallScope scope, PipelineCall<?, ?> call) {
    return call.closedByPart() || (call.owner && scope.transportEnded());
  }

  /**
   * A callback inside threw: the failure part maps it and closes the call; without one it goes
   * outwards (an outer pipeline's error mapping, or grpc-java, which closes the call with {@code
   * UNKNOWN} when an {@code onMessage}, {@code onHalfClose} or {@code onReady} threw). Errors are
   * never swallowed.
   */
  private static void failed(
      ServerCallScope scope, PipelineCall<?, ?> call, Throwable failure, boolean grpcClosesCall) {
    if (call.fail(failure)) {
      if (failure instanceof Error) {
        throw (Error) failure;
      }
      return;
    }
    if (call.owner && grpcClosesCall) {
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
