package io.github.grpcmiddleware.internal;

import io.grpc.Status;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * This class is internal and is hence not for public use. Its APIs are unstable and can change at
 * any time.
 *
 * <p>The one end of a server call. Parts register {@link ServerCallObserver}s while the call starts
 * (an access-log line, a timer, a span, the permits of a limit); the call ends exactly once, with
 * the status the caller received, and tells each of them once. The end hook is the only place
 * anything is released or recorded.
 *
 * <p>Several routes may report the end, on different threads: the stream tracer ({@code
 * streamClosed}, the transport's word, when installed), the outermost pipeline's listener ({@code
 * onComplete}/{@code onCancel} without the tracer), a {@code startCall} that threw. The first one
 * wins. An end that arrives while no pipeline has finished starting the call (a client that gave up
 * while the server's executor was busy) waits for that start, so that what the start took is
 * released and the call is recorded under its real method; an observer registered after the end (a
 * decision that arrived after a cancel) is told at once.
 */
abstract class CallEnds extends CallMdc {

  /** The status the application's close went out with (outermost wrapper); for ends without it. */
  volatile @Nullable Status closeStatus;

  // Guarded by this: the status the observers were told, how many starts are running (-1 before
  // the first), and the observers. The first two observers live in fields: most calls have at most
  // two, and more (and an end that waits for the start) go to the extras.
  private @Nullable Status endStatus;
  private int starting = -1;
  private @Nullable ServerCallObserver observer0;
  private @Nullable ServerCallObserver observer1;

  CallEnds(long startNanos, boolean viaTracer, String fullMethodName) {
    super(startNanos, viaTracer, fullMethodName);
  }

  /**
   * Registers an observer told once how the call ended. An observer registered after the end is
   * told at once; one registered twice is told once.
   *
   * @param observer the observer; not null
   */
  public final void observe(ServerCallObserver observer) {
    Status ended;
    synchronized (this) {
      if (registered(observer)) {
        return;
      }
      add(observer);
      ended = endStatus;
      if (ended == null) {
        return;
      }
    }
    tellWithMdc(observer, null, null, 0, ended);
  }

  /** Whether the call has ended (its observers were told). */
  public final synchronized boolean hasEnded() {
    return endStatus != null;
  }

  private boolean registered(ServerCallObserver observer) {
    if (observer0 == observer || observer1 == observer) {
      return true;
    }
    CallExtras extras = extrasOrNull();
    if (extras == null) {
      return false;
    }
    ServerCallObserver[] more = extras.moreObservers;
    for (int i = 0; more != null && i < extras.moreObserverCount; i++) {
      if (more[i] == observer) {
        return true;
      }
    }
    return false;
  }

  private void add(ServerCallObserver observer) {
    if (observer0 == null) {
      observer0 = observer;
      return;
    }
    if (observer1 == null) {
      observer1 = observer;
      return;
    }
    CallExtras extras = extras();
    ServerCallObserver[] more = extras.moreObservers;
    if (more == null) {
      more = new ServerCallObserver[4];
      extras.moreObservers = more;
    } else if (extras.moreObserverCount == more.length) {
      more = Arrays.copyOf(more, extras.moreObserverCount * 2);
      extras.moreObservers = more;
    }
    more[extras.moreObserverCount++] = observer;
  }

  /** A pipeline starts the call: ends wait until {@link #startDone()}. */
  final synchronized void startBegins() {
    starting = starting < 0 ? 1 : starting + 1;
  }

  /** The pipeline's start returned; an end that waited for it happens now. */
  final void startDone() {
    Status pending;
    synchronized (this) {
      CallExtras extras = extrasOrNull();
      if (--starting > 0 || extras == null || extras.pendingEnd == null) {
        return;
      }
      pending = extras.pendingEnd;
      extras.pendingEnd = null;
    }
    end(pending);
  }

  /**
   * The transport closed the stream. Before any pipeline started the call (a client that gave up
   * while the server's executor was busy), the end waits for the start that grpc-java still runs; a
   * call grpc-java answered before looking the method up (an unknown method) ends at once.
   */
  final void transportClosed(Status status, ServerCallObserver[] unknownMethodObservers) {
    synchronized (this) {
      boolean startedOnce = starting >= 0;
      if (starting > 0 || (!startedOnce && status.getCode() != Status.Code.UNIMPLEMENTED)) {
        extras().pendingEnd = status;
        return;
      }
      if (method() == null && !startedOnce) {
        for (ServerCallObserver observer : unknownMethodObservers) {
          if (!registered(observer)) {
            add(observer);
          }
        }
      }
    }
    end(status);
  }

  /**
   * Ends the call: tells every observer, once.
   *
   * @param status the status the caller received
   */
  final void end(Status status) {
    ServerCallObserver first;
    ServerCallObserver second;
    ServerCallObserver[] more;
    int moreCount;
    synchronized (this) {
      if (endStatus != null) {
        return;
      }
      if (starting > 0) {
        extras().pendingEnd = status; // told when the start returns
        return;
      }
      endStatus = status;
      first = observer0;
      second = observer1;
      CallExtras extras = extrasOrNull();
      more = extras == null ? null : extras.moreObservers;
      moreCount = extras == null ? 0 : extras.moreObserverCount;
    }
    ended();
    if (first != null) {
      tellWithMdc(first, second, more, moreCount, status);
    }
  }

  /** Called once when the call ends, before the observers are told. */
  abstract void ended();

  /**
   * Tells the observers, with this call's MDC entries on the thread: the transport may report the
   * end on a thread with no MDC of this call (observers log). Inside one of the call's own brackets
   * they are there.
   */
  private void tellWithMdc(
      ServerCallObserver first,
      @Nullable ServerCallObserver second,
      ServerCallObserver @Nullable [] more,
      int moreCount,
      Status status) {
    @Nullable String[] saved = !hasMdc() || inBracket() ? null : putMdcEntries();
    try {
      tell(first, status);
      tell(second, status);
      for (int i = 0; more != null && i < moreCount; i++) {
        tell(more[i], status);
      }
    } finally {
      if (saved != null) {
        restoreMdc(saved);
      }
    }
  }

  private void tell(@Nullable ServerCallObserver observer, Status status) {
    if (observer == null) {
      return;
    }
    try {
      observer.callEnded((ServerCallScope) this, status);
    } catch (RuntimeException e) {
      // An observer's failure must not hide the call's end from the others.
      LoggerFactory.getLogger(ServerCallScope.class).debug("observer {} failed", observer, e);
    }
  }
}
