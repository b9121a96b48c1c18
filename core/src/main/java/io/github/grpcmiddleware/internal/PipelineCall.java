package io.github.grpcmiddleware.internal;

import io.grpc.Context;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This class is internal and is hence not for public use. Its APIs are unstable and can change at
 * any time.
 *
 * <p>The one call wrapper of a pipeline. Every send and close passes the call's state first:
 * nothing goes out once the transport ended the call (a cancel, a request grpc-java could not
 * decode) or a part closed it; a close goes out once, through the parts' close hooks, innermost
 * first. The owner's wrapper also echoes {@code x-trace-id} and {@code content-language}, counts
 * what was sent, and puts the call's MDC entries and Context around sends made outside a callback.
 *
 * <p>Sends and closes hold this object's monitor: a part may close the call from another thread (a
 * deadline cap's timer) while the service sends. This class is thread-safe.
 */
public final class PipelineCall<ReqT, RespT>
    extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
  private static final Logger logger = LoggerFactory.getLogger(PipelineCall.class);

  /** Sent when a close hook itself fails; built once so that it needs no allocation then. */
  private static final Status FALLBACK = Status.INTERNAL.withDescription("Internal error.");

  final ServerCallScope scope;
  final ServerPipeline pipeline;
  final int running;
  final boolean owner;

  private static final ServerCall.Listener<Object> NOOP = new ServerCall.Listener<Object>() {};

  /** The listener of what follows this pipeline: the rest of the call, once started. */
  volatile ServerCall.Listener<?> inner = NOOP;

  private boolean closed; // guarded by this
  private volatile boolean closedByPart;
  private volatile boolean closedByApplication;
  private volatile boolean headersSent;
  volatile boolean applicationStarted;

  /** A start decision of this pipeline that waits, armed once the start's bracket closed. */
  private @Nullable Waiting waiting;

  /** The MDC and Context of a send from outside a callback, made on first need; guarded by this. */
  private @Nullable Outside outside;

  PipelineCall(
      ServerCall<ReqT, RespT> delegate,
      ServerCallScope scope,
      ServerPipeline pipeline,
      int running,
      boolean owner) {
    super(delegate);
    this.scope = scope;
    this.pipeline = pipeline;
    this.running = running;
    this.owner = owner;
  }

  /** The rest of the call started; its listener gets the events from now on. */
  void started(ServerCall.Listener<?> listener) {
    inner = listener;
    applicationStarted = true;
  }

  /**
   * A start decision of this pipeline waits: the owner holds the call's events until it arrives.
   */
  void waitFor(StartResult.Pending decision, Runnable onDecided) {
    waiting = new Waiting(decision, onDecided);
    PipelineListener.hold(scope);
  }

  /** Arms the waiting decision; called once the start's bracket closed. */
  void armWait() {
    Waiting armed = waiting;
    if (armed != null) {
      waiting = null;
      armed.decision.whenDecided(armed.onDecided);
    }
  }

  /** Whether a part of this pipeline closed the call. */
  boolean closedByPart() {
    return closedByPart;
  }

  /** Whether sends must be dropped: a part closed the call, or the transport ended it. */
  private boolean blocked() {
    return closedByPart || (scope.transportEnded() && !closedByApplication);
  }

  @Override
  public synchronized void sendHeaders(Metadata headers) {
    if (blocked()) {
      dropped("headers");
      return;
    }
    if (owner) {
      echo(headers);
      String language = scope.contentLanguage;
      if (language != null && !headers.containsKey(HeaderKeys.CONTENT_LANGUAGE)) {
        headers.put(HeaderKeys.CONTENT_LANGUAGE, language);
      }
    }
    headersSent = true;
    boolean outside = enterOutside();
    try {
      super.sendHeaders(headers);
    } finally {
      if (outside) {
        exitOutside();
      }
    }
  }

  @Override
  @SuppressWarnings("NonAtomicVolatileUpdate") // sends hold the monitor
  public synchronized void sendMessage(RespT message) {
    if (blocked()) {
      dropped("a message");
      return;
    }
    boolean outside = enterOutside();
    try {
      int hooks = pipeline.sendMask & running;
      for (int i = pipeline.parts.length - 1; hooks != 0 && i >= 0; i--) {
        if ((hooks & (1 << i)) != 0 && !pipeline.parts[i].onSend(scope, this, message)) {
          return;
        }
      }
      super.sendMessage(message);
      if (owner) {
        scope.sent++;
      }
    } finally {
      if (outside) {
        exitOutside();
      }
    }
  }

  @Override
  public synchronized void close(Status status, Metadata trailers) {
    if (closed) {
      logger.debug("ignoring close({}) of a call already closed", status.getCode());
      return;
    }
    closed = true;
    closedByApplication = true;
    if (scope.transportEnded()) {
      dropped("close(" + status.getCode() + ")");
      return;
    }
    sendClose(pipeline.parts.length - 1, status, trailers, true);
  }

  /**
   * Rejects the call at start for {@code part}: closes it with {@code status}, through the close
   * hooks of the parts outside {@code part}.
   *
   * @param part the rejecting part; not null
   * @param status the status; not null
   * @param trailers the trailers; not null
   * @return {@link StartResult#REJECTED}, for the start hook to return
   */
  public StartResult reject(ServerPart part, Status status, Metadata trailers) {
    closeByPart(part, status, trailers, false);
    return StartResult.REJECTED;
  }

  /**
   * Closes the call for {@code part}, once, through the close hooks of the parts outside it; from
   * then on what the application sends, requests or closes is dropped. Never throws.
   *
   * @param part the closing part; not null
   * @param status the status; not null
   * @param trailers the trailers; not null
   * @param cancelsApplication whether the application, if it runs, is told {@code onCancel} (as
   *     grpc-java tells it of a deadline) instead of {@code onComplete}
   * @return false when the call was closed already
   */
  public synchronized boolean closeByPart(
      ServerPart part, Status status, Metadata trailers, boolean cancelsApplication) {
    if (!claim(cancelsApplication)) {
      return false;
    }
    closeClaimed(part, status, trailers);
    return true;
  }

  /**
   * Claims the call's close for a part, so that nothing the application sends or closes from now on
   * goes out; the part then does what must come first (cancel a Context the application waits on)
   * and sends the close with {@link #closeClaimed}.
   *
   * @param cancelsApplication see {@link #closeByPart}
   * @return false when the call was closed already (nothing to send)
   */
  public synchronized boolean claim(boolean cancelsApplication) {
    if (closed) {
      return false;
    }
    closed = true;
    closedByPart = true;
    if (cancelsApplication && applicationStarted) {
      scope.mark(ServerCallScope.ENDED_BY_LIBRARY);
    }
    return true;
  }

  /**
   * Sends the close a successful {@link #claim} reserved, through the close hooks of the parts
   * outside {@code part}. Never throws.
   *
   * @param part the closing part; not null
   * @param status the status; not null
   * @param trailers the trailers; not null
   */
  public synchronized void closeClaimed(ServerPart part, Status status, Metadata trailers) {
    if (!scope.transportEnded()) {
      sendClose(pipeline.indexOf(part) - 1, status, trailers, false);
    }
  }

  /** Closes the delegate through the close hooks of parts {@code from} to 0, once. */
  private void sendClose(int from, Status status, Metadata trailers, boolean application) {
    boolean outside = enterOutside();
    try {
      finishClose(closeHooks(from, status, trailers), trailers, application);
    } finally {
      if (outside) {
        exitOutside();
      }
    }
  }

  /**
   * Closes the call with what the failure part (error mapping) makes of {@code failure}.
   *
   * @return false when this pipeline has no failure part (the failure goes outwards)
   */
  synchronized boolean fail(Throwable failure) {
    int index = pipeline.failurePart;
    if (index < 0 || (running & (1 << index)) == 0) {
      return false;
    }
    ServerPart part = pipeline.parts[index];
    if (closed) {
      part.onFailureAfterClose(scope, failure);
      return true;
    }
    closed = true;
    closedByPart = true;
    Metadata trailers = new Metadata();
    Status status;
    try {
      status = part.onFailure(scope, failure, trailers);
    } catch (RuntimeException | Error e) {
      // Rendering failed too: the call is still closed, so that it never waits for its deadline.
      if (e != failure) {
        failure.addSuppressed(e);
      }
      trailers = new Metadata();
      status = FALLBACK;
    }
    if (!scope.transportEnded()) {
      sendClose(index - 1, status, trailers, false);
    }
    return true;
  }

  /** Closes the call after a failure nothing here maps, as grpc-java would; never throws. */
  synchronized void closeAfterFailure(Throwable failure) {
    if (fail(failure) || closed) {
      return;
    }
    closed = true;
    closedByPart = true;
    if (!scope.transportEnded()) {
      finishClose(Status.fromThrowable(failure), new Metadata(), false);
    }
  }

  private Status closeHooks(int from, Status status, Metadata trailers) {
    int hooks = pipeline.closeMask & running;
    Status out = status;
    for (int i = from; hooks != 0 && i >= 0; i--) {
      if ((hooks & (1 << i)) == 0) {
        continue;
      }
      try {
        out = pipeline.parts[i].onClose(scope, out, trailers);
      } catch (RuntimeException e) {
        logger.debug("a close hook of {} threw; closing with INTERNAL", pipeline.parts[i], e);
        out = FALLBACK;
      }
    }
    return out;
  }

  private void finishClose(Status status, Metadata trailers, boolean application) {
    if (owner) {
      if (!headersSent) {
        echo(trailers);
      }
      // Recorded before closing: the listener's onComplete, which reads it, may run inside the
      // close (in-process, directExecutor) or on another thread before it returns.
      scope.closeStatus = status;
    }
    try {
      super.close(status, trailers);
    } catch (RuntimeException e) {
      // This close did not reach the caller (grpc-java had closed the call itself already).
      if (owner) {
        scope.closeStatus = null;
      }
      if (application) {
        throw e;
      }
      logger.debug("closing the call with {} failed", status.getCode(), e);
    }
  }

  @Override
  public void request(int numMessages) {
    if (!closedByPart) {
      super.request(numMessages);
    }
  }

  @Override
  public boolean isReady() {
    return !closedByPart && !scope.transportEnded() && super.isReady();
  }

  @Override
  public boolean isCancelled() {
    return scope.is(ServerCallScope.ENDED_BY_LIBRARY) || super.isCancelled();
  }

  private void echo(Metadata metadata) {
    String traceId = scope.echoedTraceId();
    if (traceId != null) {
      metadata.discardAll(HeaderKeys.TRACE_ID);
      metadata.put(HeaderKeys.TRACE_ID, traceId);
    }
  }

  /**
   * Puts the call's MDC entries and Context around a send from outside the call's bracket (the
   * service's own thread, a timer): in a callback they are in place already.
   *
   * @return whether it opened a bracket, to close with {@link #exitOutside}
   */
  private boolean enterOutside() {
    if (!scope.needsBracket() || scope.inBracket()) {
      return false;
    }
    Outside state = outside;
    if (state == null) {
      state = new Outside();
      outside = state;
    }
    state.previous = scope.enterOutside(state.saved);
    return true;
  }

  private void exitOutside() {
    Outside state = outside;
    if (state != null) {
      Context previous = state.previous;
      state.previous = null;
      scope.exitOutside(state.saved, previous);
    }
  }

  private void dropped(String what) {
    if (logger.isDebugEnabled()) {
      logger.debug(
          "{}: {} dropped, the call is over ({})",
          scope.fullMethodName(),
          what,
          closedByPart ? "closed by the library" : "ended by the transport");
    }
  }
}
