package io.github.grpcmiddleware.chain;

import io.github.grpcmiddleware.internal.ServerCallTracerFactory;
import io.grpc.BindableService;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerStreamTracer;
import java.util.Objects;

/**
 * Assembles the server-side parts of the library into one {@link ServerInterceptor} that runs them
 * in the one correct order, whatever order the builder was given them in.
 *
 * <p>Outermost first: tracing, observability (access log, metrics), locale, error mapping, the
 * application's own interceptors, auth, limits (deadline cap, concurrency and rate limits),
 * validation, then the service. Error mapping therefore maps what the application's interceptors,
 * auth, limits and validation throw or reject; the access log and metrics see the status the client
 * actually receives; every part below tracing runs with the trace id in the MDC.
 *
 * <p>{@code ServerBuilder.intercept} runs interceptors in the reverse order of registration, the
 * classic source of chains in the wrong order; install only the interceptor this builder returns,
 * with {@link #install(ServerBuilder, ServerInterceptor)}:
 *
 * <pre>{@code
 * ServerInterceptor chain = ServerChain.builder()
 *     .tracing(TraceIds.newServerInterceptor())
 *     .errorMapping(ErrorMapping.serverBuilder().build())
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
  public static ServerChainBuilder builder() {
    return new ServerChainBuilder();
  }

  /**
   * Applies a chain (or any interceptor) to one service only.
   *
   * @param service the service; not null
   * @param chain the interceptor returned by {@link ServerChainBuilder#build()}; not null
   * @return the intercepted service definition, for {@code ServerBuilder.addService}
   */
  public static ServerServiceDefinition intercept(
      BindableService service, ServerInterceptor chain) {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(chain, "chain");
    return ServerInterceptors.intercept(service, chain);
  }

  /**
   * Registers {@code chain} (or one part of the library used alone) on {@code server} together with
   * the stream tracer that reports the status the transport sent; the one-call installation.
   *
   * @param server the server builder; not null
   * @param chain the interceptor returned by {@link ServerChainBuilder#build()}, or one part; not
   *     null
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
   * @param chain the interceptor returned by {@link ServerChainBuilder#build()}, or one part; not
   *     null
   * @return the factory, for {@code ServerBuilder.addStreamTracerFactory}; never null
   */
  public static ServerStreamTracer.Factory streamTracerFactory(ServerInterceptor chain) {
    Objects.requireNonNull(chain, "chain");
    return new ServerCallTracerFactory(CompositeServerInterceptor.unknownMethodObservers(chain));
  }
}
