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
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    int applicable = 0;
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].appliesTo(call)) {
        applicable |= 1 << i;
      }
    }
    ServerCallScope scope = ServerCallScope.current();
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
    int running = (owner ? all : join(scope)) & applicable;
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
    PipelineListener<ReqT> listener = new PipelineListener<>(wrapped);
    scope.startBegins();
    if (owner) {
      scope.enter();
    }
    try {
      startFrom(0, wrapped, listener, headers, next);
    } finally {
      if (owner) {
        scope.exit();
      }
      scope.startDone();
    }
    // A decision that waits is armed only now, outside the bracket: it may resume on another
    // thread at once, which opens the bracket itself.
    listener.armWait();
    return listener;
  }

  /**
   * Runs the start hooks from part {@code from} on, then the rest of the call; stops at a rejection
   * or a pending decision.
   */
  <ReqT, RespT> void startFrom(
      int from,
      PipelineCall<ReqT, RespT> call,
      PipelineListener<ReqT> listener,
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
        failStart(call, listener, e);
        return;
      }
      if (result == StartResult.CONTINUE) {
        continue;
      }
      if (result instanceof StartResult.Pending) {
        StartResult.Pending pending = (StartResult.Pending) result;
        listener.waitFor(
            pending, new ResumedStart<>(this, pending, i, call, listener, headers, next));
        return;
      }
      listener.rejected();
      return;
    }
    ServerCall.Listener<ReqT> inner;
    try {
      inner = next.startCall(call, headers);
    } catch (RuntimeException | Error e) {
      failStart(call, listener, e);
      return;
    }
    listener.started(inner);
  }

  /**
   * A start hook, or starting the rest of the call, threw: error mapping in this pipeline maps it;
   * without one it goes outwards (to an outer pipeline's error mapping, or to grpc-java, which
   * closes the call with {@code Status.fromThrowable}).
   */
  private static void failStart(
      PipelineCall<?, ?> call, PipelineListener<?> listener, Throwable failure) {
    listener.rejected();
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

  /**
   * Joins a call another pipeline opened: returns the parts of this one that run on it. A part
   * whose kind already runs passes through: silently when it is the same instance, with one WARN
   * naming both installations when it is another instance of a record-keeping kind; another
   * instance of the other kinds runs too (see {@link ServerPart}).
   */
  private int join(ServerCallScope scope) {
    int running = 0;
    List<String> twice = null;
    ServerPipeline first = null;
    for (int i = 0; i < parts.length; i++) {
      ServerPart part = parts[i];
      ServerPipeline other = runningKind(scope, part);
      if (other == null) {
        running |= 1 << i;
      } else if (other.partOfKind(part.kind()) == part) {
        continue; // the same instance, installed twice
      } else if (part.runsPerInstance()) {
        if (!hasInstance(scope, part)) {
          running |= 1 << i;
        }
      } else if (!warnedTwice.get()) {
        if (twice == null) {
          twice = new ArrayList<>();
          first = other;
        }
        twice.add(part.describe());
      }
    }
    if (twice != null && first != null && warnedTwice.compareAndSet(false, true)) {
      logger.warn(
          "{} {} twice on {}: installed in {} and again in {}; each runs once, in the first."
              + " Keep one installation (a per-service chain needs no tracing, access log, metrics"
              + " or error mapping of its own when a server-wide chain has them).",
          String.join(", ", twice),
          twice.size() == 1 ? "runs" : "run",
          scope.fullMethodName(),
          first.name,
          name);
    }
    addJoined(scope, this);
    return running;
  }

  /** The first pipeline on the call with a part of {@code part}'s kind, or null. */
  private static @Nullable ServerPipeline runningKind(ServerCallScope scope, ServerPart part) {
    ServerPipeline owner = scope.owner;
    if (owner != null && owner.partOfKind(part.kind()) != null) {
      return owner;
    }
    ServerPipeline joined = scope.joined;
    if (joined != null && joined.partOfKind(part.kind()) != null) {
      return joined;
    }
    ServerPipeline[] more = scope.moreJoined;
    for (int i = 0; more != null && i < more.length; i++) {
      if (more[i].partOfKind(part.kind()) != null) {
        return more[i];
      }
    }
    return null;
  }

  private static boolean hasInstance(ServerCallScope scope, ServerPart part) {
    ServerPipeline owner = scope.owner;
    if (owner != null && owner.partOfKind(part.kind()) == part) {
      return true;
    }
    ServerPipeline joined = scope.joined;
    if (joined != null && joined.partOfKind(part.kind()) == part) {
      return true;
    }
    ServerPipeline[] more = scope.moreJoined;
    for (int i = 0; more != null && i < more.length; i++) {
      if (more[i].partOfKind(part.kind()) == part) {
        return true;
      }
    }
    return false;
  }

  private static void addJoined(ServerCallScope scope, ServerPipeline pipeline) {
    if (scope.joined == null) {
      scope.joined = pipeline;
      return;
    }
    ServerPipeline[] more = scope.moreJoined;
    ServerPipeline[] grown = new ServerPipeline[more == null ? 1 : more.length + 1];
    if (more != null) {
      System.arraycopy(more, 0, grown, 0, more.length);
    }
    grown[grown.length - 1] = pipeline;
    scope.moreJoined = grown;
  }

  private @Nullable ServerPart partOfKind(int kind) {
    for (ServerPart part : parts) {
      if (part.kind() == kind) {
        return part;
      }
    }
    return null;
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
