package io.github.grpcmiddleware.chain;

import io.grpc.ClientInterceptor;

/**
 * Assembles the client-side parts of the library into one {@link ClientInterceptor} that runs them
 * in the one correct order, whatever order the builder was given them in.
 *
 * <p>From the application towards the channel: limits (a default deadline), observability (access
 * log, metrics), error reporting, locale ({@code accept-language}), the application's own
 * interceptors, then tracing nearest the channel. Tracing sits nearest the channel because response
 * callbacks travel from the channel outwards: the part that puts the trace id in the MDC must see
 * them first, so that every other part logs with it. Credentials, when given, are attached to every
 * call's {@link io.grpc.CallOptions} (a call that already carries its own credentials keeps them).
 *
 * <pre>{@code
 * ClientInterceptor chain = ClientChain.builder()
 *     .tracing(TraceIds.newClientInterceptor())
 *     .build();
 * ManagedChannel channel = ManagedChannelBuilder.forTarget(target).intercept(chain).build();
 * }</pre>
 *
 * <p>This class is thread-safe.
 */
public final class ClientChain {

  private ClientChain() {}

  /**
   * Returns a new builder with no parts.
   *
   * @return the builder; never null
   */
  public static ClientChainBuilder builder() {
    return new ClientChainBuilder();
  }
}
