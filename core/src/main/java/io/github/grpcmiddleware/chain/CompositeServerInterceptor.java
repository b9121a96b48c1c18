package io.github.grpcmiddleware.chain;

import io.github.grpcmiddleware.internal.ServerCallObserver;
import io.github.grpcmiddleware.internal.ServerPart;
import io.github.grpcmiddleware.internal.ServerPipeline;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A chain: its runs of library parts, each one {@link ServerPipeline} (one call wrapper and one
 * listener wrapper per call for the whole run), with the application's own interceptors between
 * them in their slot. A chain whose application slot is empty is one pipeline.
 *
 * <p>The handlers that link the runs ({@link Step}) depend only on them and on the method's handler
 * that follows the chain, so they are built once per method handler and kept in a small
 * direct-mapped cache instead of once per call. A slot holds the steps of the last handler that
 * hashed to it; a collision (or a server-wide interceptor that creates a new handler per call) only
 * means building the steps again for that call. Slots are written without locking: steps are
 * immutable (all fields final), so a thread that sees one sees it whole, and a lost write costs a
 * rebuild.
 */
final class CompositeServerInterceptor implements ServerInterceptor {
  /** Slots in the step cache; a power of two, far more than most servers have methods. */
  static final int CACHE_SLOTS = 256;

  private final ServerInterceptor[] parts;
  private final @Nullable Step<?, ?>[] cache = new Step<?, ?>[CACHE_SLOTS];

  private CompositeServerInterceptor(ServerInterceptor[] parts) {
    this.parts = parts;
  }

  /**
   * Builds the chain of {@code parts}, outermost first: each run of library parts becomes one
   * pipeline; a part whose kind the run has already (a second limits part) starts a new run.
   */
  static ServerInterceptor of(List<ServerInterceptor> parts) {
    String name = describe(parts);
    List<ServerInterceptor> linked = new ArrayList<>();
    List<ServerPart> run = new ArrayList<>();
    for (ServerInterceptor part : parts) {
      if (part instanceof ServerPart) {
        ServerPart libraryPart = (ServerPart) part;
        if (hasKind(run, libraryPart.kind())) {
          linked.add(pipeline(run, name, linked.isEmpty()));
          run.clear();
        }
        run.add(libraryPart);
      } else {
        if (!run.isEmpty() || linked.isEmpty()) {
          // The chain's first pipeline opens the call's record, even with no parts before the
          // application's interceptors: they see the record as the service does.
          linked.add(pipeline(run, name, linked.isEmpty()));
          run.clear();
        }
        linked.add(part);
      }
    }
    if (!run.isEmpty() || linked.isEmpty()) {
      linked.add(pipeline(run, name, linked.isEmpty()));
    }
    if (linked.size() == 1) {
      return linked.get(0);
    }
    return new CompositeServerInterceptor(linked.toArray(new ServerInterceptor[0]));
  }

  private static boolean hasKind(List<ServerPart> run, int kind) {
    for (ServerPart part : run) {
      if (part.kind() == kind) {
        return true;
      }
    }
    return false;
  }

  private static ServerPipeline pipeline(List<ServerPart> run, String name, boolean first) {
    return new ServerPipeline(run.toArray(new ServerPart[0]), name, first);
  }

  /** How warnings name the chain: its parts in order, and which chain instance it is. */
  private static String describe(List<ServerInterceptor> parts) {
    List<String> names = new ArrayList<>();
    for (ServerInterceptor part : parts) {
      names.add(part instanceof ServerPart ? ((ServerPart) part).describe() : "application");
    }
    return "ServerChain["
        + String.join(", ", names)
        + "]@"
        + Integer.toHexString(System.identityHashCode(names));
  }

  /** The observers of all runs that also record calls to methods the server does not know. */
  static ServerCallObserver[] unknownMethodObservers(ServerInterceptor chain) {
    List<ServerCallObserver> observers = new ArrayList<>();
    if (chain instanceof CompositeServerInterceptor) {
      for (ServerInterceptor part : ((CompositeServerInterceptor) chain).parts) {
        if (part instanceof ServerPipeline) {
          Collections.addAll(observers, ((ServerPipeline) part).unknownMethodObservers());
        }
      }
    } else if (chain instanceof ServerPipeline) {
      Collections.addAll(observers, ((ServerPipeline) chain).unknownMethodObservers());
    } else if (chain instanceof ServerPart) {
      ServerCallObserver observer = ((ServerPart) chain).unknownMethodObserver();
      if (observer != null) {
        observers.add(observer);
      }
    }
    return observers.toArray(new ServerCallObserver[0]);
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    return steps(next).startCall(call, headers);
  }

  /** Returns the first step of the parts in front of {@code next}, cached per handler. */
  @SuppressWarnings("unchecked") // a step whose end is `next` has next's type parameters
  <ReqT, RespT> ServerCallHandler<ReqT, RespT> steps(ServerCallHandler<ReqT, RespT> next) {
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
