package io.github.grpcmiddleware.chain;

import io.github.grpcmiddleware.internal.ServerCallObserver;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Runs the parts outermost first in the call's one scope, which it opens (or finds, when the stream
 * tracer opened it) and whose wrappers it owns.
 *
 * <p>The handlers that link the parts ({@link Step}) depend only on the parts and on the method's
 * handler that follows the chain, so they are built once per method handler and kept in a small
 * direct-mapped cache instead of once per call: a unary call through a six-part chain would
 * otherwise allocate seven of them. A slot holds the steps of the last handler that hashed to it; a
 * collision (or a server-wide interceptor that creates a new handler per call) only means building
 * the steps again for that call. Slots are written without locking: steps are immutable (all fields
 * final), so a thread that sees one sees it whole, and a lost write costs a rebuild.
 */
final class CompositeServerInterceptor implements ServerInterceptor {
  /** Slots in the step cache; a power of two, far more than most servers have methods. */
  static final int CACHE_SLOTS = 256;

  private final ServerInterceptor[] parts;
  private final @Nullable Step<?, ?>[] cache = new Step<?, ?>[CACHE_SLOTS];

  CompositeServerInterceptor(ServerInterceptor[] parts) {
    this.parts = parts;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    ServerCallScope scope = ServerCallScope.open(this, call);
    if (!scope.enter(this)) {
      // This chain already runs on the call (installed server-wide and per service): once.
      return next.startCall(call, headers);
    }
    return scope.startNext(this, call, headers, steps(next));
  }

  /** The parts that also record calls to methods the server does not know. */
  ServerCallObserver[] unknownMethodObservers() {
    List<ServerCallObserver> observers = new ArrayList<>();
    for (ServerInterceptor part : parts) {
      if (part instanceof ServerCallObserver
          && ((ServerCallObserver) part).observesUnknownMethods()) {
        observers.add((ServerCallObserver) part);
      }
    }
    return observers.toArray(new ServerCallObserver[0]);
  }

  /** Returns the first step of the parts in front of {@code next}, cached per handler. */
  @SuppressWarnings("unchecked") // a step whose end is `next` has next's type parameters
  <ReqT, RespT> ServerCallHandler<ReqT, RespT> steps(ServerCallHandler<ReqT, RespT> next) {
    if (parts.length == 0) {
      return next;
    }
    int slot = System.identityHashCode(next) & (CACHE_SLOTS - 1);
    Step<?, ?> cached = cache[slot];
    if (cached != null && cached.end == next) {
      return (Step<ReqT, RespT>) cached;
    }
    Step<ReqT, RespT> first = Step.link(parts, next);
    cache[slot] = first;
    return first;
  }

  /** Calls one part with the step after it as its next handler; immutable. */
  private static final class Step<ReqT, RespT> implements ServerCallHandler<ReqT, RespT> {
    private final ServerInterceptor part;
    private final ServerCallHandler<ReqT, RespT> following;

    /** The method's handler after the last part, which identifies the whole chain of steps. */
    final ServerCallHandler<ReqT, RespT> end;

    private Step(
        ServerInterceptor part,
        ServerCallHandler<ReqT, RespT> following,
        ServerCallHandler<ReqT, RespT> end) {
      this.part = part;
      this.following = following;
      this.end = end;
    }

    /** Builds the steps for {@code parts} (at least one) in front of {@code end}. */
    static <ReqT, RespT> Step<ReqT, RespT> link(
        ServerInterceptor[] parts, ServerCallHandler<ReqT, RespT> end) {
      ServerCallHandler<ReqT, RespT> following = end;
      Step<ReqT, RespT> step = null;
      for (int i = parts.length - 1; i >= 0; i--) {
        step = new Step<>(parts[i], following, end);
        following = step;
      }
      if (step == null) {
        throw new IllegalArgumentException("no parts");
      }
      return step;
    }

    @Override
    public ServerCall.Listener<ReqT> startCall(ServerCall<ReqT, RespT> call, Metadata headers) {
      return part.interceptCall(call, headers, following);
    }
  }
}
