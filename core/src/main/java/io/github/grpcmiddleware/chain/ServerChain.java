package io.github.grpcmiddleware.chain;

import io.github.grpcmiddleware.internal.ServerCallObserver;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.internal.ServerCallTracerFactory;
import io.grpc.BindableService;
import io.grpc.Metadata;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerStreamTracer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Assembles the server-side parts of the library into one {@link ServerInterceptor} that runs them
 * in the one correct order, whatever order the builder was given them in.
 *
 * <p>Outermost first: tracing, observability (access log, metrics), locale, error mapping, the
 * application's own interceptors, auth, then the service. Error mapping therefore maps what the
 * application's interceptors and auth throw; the access log and metrics see the status the client
 * actually receives; every part below tracing runs with the trace id in the MDC.
 *
 * <p>{@code ServerBuilder.intercept} runs interceptors in the reverse order of registration, the
 * classic source of chains in the wrong order; install only the interceptor this builder returns,
 * with {@link #install(ServerBuilder, ServerInterceptor)}:
 *
 * <pre>{@code
 * ServerInterceptor chain = ServerChain.builder()
 *     .tracing(TraceIds.newServerInterceptor())
 *     .errorMapping(ErrorMapping.builder().build())
 *     .build();
 * ServerBuilder<?> builder = ServerBuilder.forPort(50051).addService(service);
 * Server server = ServerChain.install(builder, chain).build();
 * }</pre>
 *
 * <p>{@code install} registers the chain and its stream tracer ({@link #streamTracerFactory}). The
 * tracer is what makes every record truthful: grpc-java closes some calls itself, past every
 * interceptor (a request that does not decode, a listener that throws with no error mapping inside,
 * a response that fails to serialize), and answers unknown methods before any interceptor runs;
 * only the transport's status, which the tracer reports, says what the caller received. Registered
 * with a bare {@code ServerBuilder.intercept(chain)} instead, the chain still works, but the access
 * log, metrics and spans record such calls as {@code UNKNOWN} (never as success) and cannot see
 * unknown methods at all.
 *
 * <p>To apply the chain to one service, use {@link #intercept(BindableService, ServerInterceptor)}
 * and add {@link #streamTracerFactory(ServerInterceptor)} to the server. Installed twice
 * (server-wide and per service), the chain runs once per call. Every part is optional, and each
 * part remains usable on its own (with the same rules: install it with {@code install} to see what
 * the transport sent).
 *
 * <p>This class is thread-safe.
 */
public final class ServerChain {

  private ServerChain() {}

  /**
   * Returns a new builder with no parts.
   *
   * @return the builder; never null
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Applies a chain (or any interceptor) to one service only.
   *
   * @param service the service; not null
   * @param chain the interceptor returned by {@link Builder#build()}; not null
   * @return the intercepted service definition, for {@code ServerBuilder.addService}
   */
  public static ServerServiceDefinition intercept(
      BindableService service, ServerInterceptor chain) {
    return ServerInterceptors.intercept(service, chain);
  }

  /**
   * Registers {@code chain} (or one part of the library used alone) on {@code server} together with
   * the stream tracer that reports the status the transport sent; the one-call installation.
   *
   * @param server the server builder; not null
   * @param chain the interceptor returned by {@link Builder#build()}, or one part; not null
   * @param <T> the server builder's type
   * @return {@code server}, for chaining
   */
  public static <T extends ServerBuilder<?>> T install(T server, ServerInterceptor chain) {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(chain, "chain");
    // ServerBuilder's methods change the builder and return it: no need for their result.
    server.addStreamTracerFactory(streamTracerFactory(chain));
    server.intercept(chain);
    return server;
  }

  /**
   * Returns the stream tracer that lets {@code chain} record the status the transport sent, and
   * calls to methods the server does not know; add it to the server when the chain is applied per
   * service. {@link #install} adds it for you.
   *
   * @param chain the interceptor returned by {@link Builder#build()}, or one part; not null
   * @return the factory, for {@code ServerBuilder.addStreamTracerFactory}; never null
   */
  public static ServerStreamTracer.Factory streamTracerFactory(ServerInterceptor chain) {
    Objects.requireNonNull(chain, "chain");
    if (chain instanceof CompositeServerInterceptor) {
      return new ServerCallTracerFactory(
          ((CompositeServerInterceptor) chain).unknownMethodObservers());
    }
    if (chain instanceof ServerCallObserver
        && ((ServerCallObserver) chain).observesUnknownMethods()) {
      return new ServerCallTracerFactory((ServerCallObserver) chain);
    }
    return new ServerCallTracerFactory();
  }

  /**
   * Collects the parts of a server chain. Each slot takes at most one interceptor, except
   * observability and application interceptors, which keep the order they were added in.
   *
   * <p>Not thread-safe; {@link #build()} copies what it needs.
   */
  public static final class Builder {
    private @Nullable ServerInterceptor tracing;
    private final List<ServerInterceptor> observability = new ArrayList<>();
    private @Nullable ServerInterceptor locale;
    private @Nullable ServerInterceptor errorMapping;
    private final List<ServerInterceptor> application = new ArrayList<>();
    private @Nullable ServerInterceptor auth;

    private Builder() {}

    /**
     * Sets the outermost part, which owns the trace id: core's {@code TraceIds} server interceptor,
     * or the otel module's span interceptor.
     *
     * @param interceptor the part; not null
     * @return this builder
     * @throws IllegalStateException when a tracing part is already set
     */
    public Builder tracing(ServerInterceptor interceptor) {
      tracing = once(tracing, interceptor, "tracing");
      return this;
    }

    /**
     * Adds an observability part (access log, metrics); several run in the order added.
     *
     * @param interceptor the part; not null
     * @return this builder
     */
    public Builder observability(ServerInterceptor interceptor) {
      observability.add(interceptor);
      return this;
    }

    /**
     * Sets the part that resolves the caller's locale (the i18n module's locale interceptor).
     *
     * @param interceptor the part; not null
     * @return this builder
     * @throws IllegalStateException when a locale part is already set
     */
    public Builder locale(ServerInterceptor interceptor) {
      locale = once(locale, interceptor, "locale");
      return this;
    }

    /**
     * Sets the error-mapping part.
     *
     * @param interceptor the part; not null
     * @return this builder
     * @throws IllegalStateException when an error-mapping part is already set
     */
    public Builder errorMapping(ServerInterceptor interceptor) {
      errorMapping = once(errorMapping, interceptor, "errorMapping");
      return this;
    }

    /**
     * Adds one of the application's own interceptors; they run inside error mapping (so what they
     * throw is mapped) and outside auth, in the order added.
     *
     * @param interceptor the interceptor; not null
     * @return this builder
     */
    public Builder application(ServerInterceptor interceptor) {
      application.add(interceptor);
      return this;
    }

    /**
     * Sets the innermost part, which authenticates the caller.
     *
     * @param interceptor the part; not null
     * @return this builder
     * @throws IllegalStateException when an auth part is already set
     */
    public Builder auth(ServerInterceptor interceptor) {
      auth = once(auth, interceptor, "auth");
      return this;
    }

    /**
     * Builds the composite interceptor.
     *
     * @return the interceptor; never null (with no parts, it only opens the call's scope)
     */
    public ServerInterceptor build() {
      List<ServerInterceptor> parts = new ArrayList<>();
      addIfSet(parts, tracing);
      parts.addAll(observability);
      addIfSet(parts, locale);
      addIfSet(parts, errorMapping);
      parts.addAll(application);
      addIfSet(parts, auth);
      return new CompositeServerInterceptor(parts.toArray(new ServerInterceptor[0]));
    }

    private static void addIfSet(List<ServerInterceptor> parts, @Nullable ServerInterceptor part) {
      if (part != null) {
        parts.add(part);
      }
    }

    private static ServerInterceptor once(
        @Nullable ServerInterceptor current, ServerInterceptor next, String slot) {
      if (next == null) {
        throw new NullPointerException(slot);
      }
      if (current != null) {
        throw new IllegalStateException(slot + " already set");
      }
      return next;
    }
  }

  /**
   * Runs the parts outermost first in the call's one scope, which it opens (or finds, when the
   * stream tracer opened it) and whose wrappers it owns.
   *
   * <p>The handlers that link the parts ({@link Step}) depend only on the parts and on the method's
   * handler that follows the chain, so they are built once per method handler and kept in a small
   * direct-mapped cache instead of once per call: a unary call through a six-part chain would
   * otherwise allocate seven of them. A slot holds the steps of the last handler that hashed to it;
   * a collision (or a server-wide interceptor that creates a new handler per call) only means
   * building the steps again for that call. Slots are written without locking: steps are immutable
   * (all fields final), so a thread that sees one sees it whole, and a lost write costs a rebuild.
   */
  static final class CompositeServerInterceptor implements ServerInterceptor {
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
