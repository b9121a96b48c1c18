package io.github.grpcmiddleware.internal;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This class is internal and is hence not for public use. Its APIs are unstable and can change at
 * any time.
 *
 * <p>Runs a run of the library's parts on each call with ONE call wrapper ({@link PipelineCall})
 * and ONE listener wrapper ({@link PipelineListener}), however many parts it has: a whole chain
 * whose application slot is empty, the parts on either side of the application's interceptors, or
 * one part used alone.
 *
 * <p>The walk of a call: the first pipeline opens the call's record (or takes the one the stream
 * tracer opened) and becomes its owner; later pipelines on the same call (a per-service chain
 * inside a server-wide one) join it. Inside the owner's bracket (the call's Context and MDC), the
 * start hooks run in chain order, then the rest of the call starts; each inbound event passes the
 * message hooks, each close the close hooks (innermost first), and what a callback throws goes to
 * the failure hook (error mapping). The call ends once, in the record ({@link CallEnds}).
 *
 * <p>Configured once, immutable and thread-safe.
 */
public final class ServerPipeline implements ServerInterceptor {
  private static final Logger logger = LoggerFactory.getLogger(ServerPipeline.class);

  final ServerPart[] parts;
  final int all;
  final int startMask;
  final int messageMask;
  final int sendMask;
  final int closeMask;

  /** The part with a failure hook (error mapping), or -1. */
  final int failurePart;

  private final String name;
  private final boolean opensRecord;
  private final ServerCallObserver[] unknownMethodObservers;
  private final AtomicBoolean warnedNoTracer = new AtomicBoolean();
  private final AtomicBoolean warnedTwice = new AtomicBoolean();

  /**
   * Creates a pipeline.
   *
   * @param parts the parts, outermost first, at most one of each kind (at most 31); not null
   * @param name how warnings name this installation; not null
   */
  public ServerPipeline(ServerPart[] parts, String name) {
    this(parts, name, false);
  }

  /**
   * Creates a pipeline.
   *
   * @param parts the parts, outermost first, at most one of each kind (at most 31); not null
   * @param name how warnings name this installation; not null
   * @param opensRecord whether it opens the call's record even when none of its parts applies to
   *     the call (a chain's first pipeline: the application's interceptors in it see the record)
   */
  public ServerPipeline(ServerPart[] parts, String name, boolean opensRecord) {
    this.opensRecord = opensRecord;
    if (parts.length > 31) {
      throw new IllegalArgumentException("parts: " + parts.length + " (expected: <= 31)");
    }
    this.parts = parts.clone();
    this.name = name;
    int start = 0;
    int message = 0;
    int send = 0;
    int close = 0;
    int failure = -1;
    long seenKinds = 0;
    List<ServerCallObserver> unknown = new ArrayList<>();
    for (int i = 0; i < parts.length; i++) {
      ServerPart part = parts[i];
      long kindBit = 1L << part.kind();
      if ((seenKinds & kindBit) != 0) {
        throw new IllegalArgumentException(
            "parts: two parts of one kind (" + part.describe() + ") in " + name);
      }
      seenKinds |= kindBit;
      start |= part.has(ServerPart.ON_START) ? 1 << i : 0;
      message |= part.has(ServerPart.ON_MESSAGE) ? 1 << i : 0;
      send |= part.has(ServerPart.ON_SEND) ? 1 << i : 0;
      close |= part.has(ServerPart.ON_CLOSE) ? 1 << i : 0;
      if (part.has(ServerPart.ON_FAILURE) && failure < 0) {
        failure = i;
      }
      ServerCallObserver observer = part.unknownMethodObserver();
      if (observer != null) {
        unknown.add(observer);
      }
    }
    this.all = parts.length == 0 ? 0 : (int) ((1L << parts.length) - 1);
    this.startMask = start;
    this.messageMask = message;
    this.sendMask = send;
    this.closeMask = close;
    this.failurePart = failure;
    this.unknownMethodObservers = unknown.toArray(new ServerCallObserver[0]);
  }

  /** The observers that also record calls to methods the server does not know. */
  public ServerCallObserver[] unknownMethodObservers() {
    return unknownMethodObservers.clone();
  }

  @Override
  @SuppressWarnings("unchecked") // the record forwards each callback to the listener it was given
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    int applicable = 0;
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].appliesTo(call)) {
        applicable |= 1 << i;
      }
    }
    ServerCallScope scope = ServerCallScope.current();
    if (scope == null) {
      scope = ServerCallScope.starting(); // an owner without a Context of its own is starting
    }
    if (applicable == 0 && (!opensRecord || (scope != null && scope.owner != null))) {
      return next.startCall(call, headers); // nothing to do here on this call: no wrappers
    }
    boolean owner;
    if (scope == null) {
      scope = ServerCallScope.open(call.getMethodDescriptor().getFullMethodName());
      scope.owner = this;
      owner = true;
    } else if (scope.owner == null) {
      scope.owner = this;
      scope.callContext = Context.current();
      owner = true;
    } else {
      owner = false;
    }
    scope.describe(call, headers);
    if (opensRecord && owner) {
      // A chain's record is always in the call's Context: its later runs (after the application's
      // interceptors, which may attach Contexts of their own) and the service find it there.
      scope.valueRegistered();
    }
    int running = (owner ? all : Joins.join(scope, this)) & applicable;
    if (!owner && running == 0) {
      return next.startCall(call, headers); // everything here runs already: no wrappers
    }
    if (owner && !scope.viaTracer && warnedNoTracer.compareAndSet(false, true)) {
      logger.warn(
          "{} runs without its stream tracer: calls grpc-java closes itself are recorded as"
              + " UNKNOWN, unknown methods are not seen, and a request that does not decode can"
              + " make the server write onto a stream the transport ended. Register it with"
              + " ServerChain.install(serverBuilder, interceptor), or add"
              + " ServerChain.streamTracerFactory(interceptor) to the server.",
          name);
    }
    PipelineCall<ReqT, RespT> wrapped = new PipelineCall<>(call, scope, this, running, owner);
    ServerCall.Listener<ReqT> listener;
    if (owner) {
      scope.ownerCall = wrapped;
      listener = (ServerCall.Listener<ReqT>) (ServerCall.Listener<?>) scope;
    } else {
      listener = new PipelineListener<>(wrapped);
    }
    scope.startBegins();
    ServerCallScope previous = owner ? scope.startRuns() : null;
    if (owner) {
      scope.enter();
    }
    try {
      startFrom(0, wrapped, headers, next);
    } finally {
      if (owner) {
        scope.exit();
        ServerCallScope.startEnds(previous);
      }
      scope.startDone();
    }
    // A decision that waits is armed only now, outside the bracket: it may resume on another
    // thread at once, which opens the bracket itself.
    wrapped.armWait();
    return listener;
  }

  /**
   * Runs the start hooks from part {@code from} on, then the rest of the call; stops at a rejection
   * or a pending decision.
   */
  <ReqT, RespT> void startFrom(
      int from,
      PipelineCall<ReqT, RespT> call,
      Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    ServerCallScope scope = call.scope;
    int hooks = startMask & call.running;
    for (int i = from; i < parts.length; i++) {
      if ((hooks & (1 << i)) == 0) {
        continue;
      }
      StartResult result;
      try {
        result = parts[i].start(scope, call, headers);
      } catch (RuntimeException | Error e) {
        failStart(call, e);
        return;
      }
      if (result == StartResult.CONTINUE) {
        continue;
      }
      if (result instanceof StartResult.Pending) {
        StartResult.Pending pending = (StartResult.Pending) result;
        int resumeAt = i + 1;
        int part = i;
        call.waitFor(pending, () -> resume(pending, part, resumeAt, call, headers, next));
      }
      return; // rejected, or waiting
    }
    ServerCall.Listener<ReqT> inner;
    try {
      inner = next.startCall(call, headers);
    } catch (RuntimeException | Error e) {
      failStart(call, e);
      return;
    }
    call.started(inner);
  }

  /**
   * A start hook, or starting the rest of the call, threw: error mapping in this pipeline maps it;
   * without one it goes outwards (to an outer pipeline's error mapping, or to grpc-java, which
   * closes the call with {@code Status.fromThrowable}).
   */
  private static void failStart(PipelineCall<?, ?> call, Throwable failure) {
    if (!call.fail(failure)) {
      ServerCallScope scope = call.scope;
      if (call.owner) {
        scope.mark(ServerCallScope.TRANSPORT_ENDED);
        if (!scope.viaTracer) {
          scope.end(Status.fromThrowable(failure));
        }
      }
      throw PipelineListener.sneaky(failure);
    }
    if (failure instanceof Error) {
      // Never swallowed; grpc-java then drops the call's listener, so its end is ours to report.
      ServerCallScope scope = call.scope;
      if (call.owner && !scope.viaTracer) {
        Status closed = scope.closeStatus;
        scope.end(closed != null ? closed : Status.fromThrowable(failure));
      }
      throw (Error) failure;
    }
  }

  /** A pending start decision arrived: go on (or reject) on the decision's executor. */
  private <ReqT, RespT> void resume(
      StartResult.Pending pending,
      int part,
      int resumeAt,
      PipelineCall<ReqT, RespT> call,
      Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    ServerCallScope scope = call.scope;
    // Not a grpc-java callback: the call's own Context is attached here, for the parts, the service
    // and the replayed events (the bracket attaches only a Context of the record's own).
    Context callContext = scope.callContext;
    Context outer = callContext == null ? null : callContext.attach();
    scope.startBegins();
    ServerCallScope previous = scope.startRuns();
    scope.enter();
    try {
      Status rejection = pending.rejection();
      Metadata trailers = pending.rejectionTrailers();
      StartResult.Continuation rest = pending.continuation();
      if (scope.transportEnded() || scope.hasEnded()) {
        return; // cancelled while waiting: nothing starts
      }
      StartResult result;
      if (rejection != null && trailers != null) {
        result = call.reject(parts[part], rejection, trailers);
      } else {
        result = rest == null ? StartResult.CONTINUE : rest.start(scope, call, headers);
      }
      if (result == StartResult.CONTINUE) {
        startFrom(resumeAt, call, headers, next);
      } else if (result instanceof StartResult.Pending) {
        StartResult.Pending again = (StartResult.Pending) result; // the part waits once more
        call.waitFor(again, () -> resume(again, part, resumeAt, call, headers, next));
      }
    } catch (RuntimeException | Error e) {
      // Nothing outside maps it here (grpc-java's start returned long ago): close the call, so that
      // it never waits for its deadline.
      call.closeAfterFailure(e);
      if (e instanceof Error) {
        throw (Error) e;
      }
    } finally {
      scope.exit();
      ServerCallScope.startEnds(previous);
      scope.startDone();
      call.armWait();
      try {
        PipelineListener.release(scope);
      } finally {
        if (callContext != null) {
          callContext.detach(outer == null ? Context.ROOT : outer);
        }
      }
    }
  }

  /** The first part of this pipeline of {@code kind}, or null. */
  @Nullable ServerPart partOfKind(int kind) {
    for (ServerPart part : parts) {
      if (part.kind() == kind) {
        return part;
      }
    }
    return null;
  }

  /** The name warnings give this installation. */
  String name() {
    return name;
  }

  /** Warns, once per pipeline, that parts of it run twice on calls; see {@link Joins}. */
  boolean firstWarningOfTwice() {
    return warnedTwice.compareAndSet(false, true);
  }

  boolean warnedTwice() {
    return warnedTwice.get();
  }

  /** The index of {@code part} in this pipeline. */
  int indexOf(ServerPart part) {
    for (int i = 0; i < parts.length; i++) {
      if (parts[i] == part) {
        return i;
      }
    }
    throw new IllegalArgumentException("part: " + part + " (expected: one of " + name + ")");
  }

  @Override
  public String toString() {
    return name;
  }
}
