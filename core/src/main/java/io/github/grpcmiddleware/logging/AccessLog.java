package io.github.grpcmiddleware.logging;

import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;

/**
 * Entry point for the access log: one SLF4J line per call when it ends, on the server and on the
 * client.
 *
 * <p>Each line carries the full method name, the RPC kind, the status code the caller received, the
 * duration, the peer address, the trace id, the principal (server, when auth recorded one), the
 * number of messages received and sent, the user agent (server), and the class of the exception
 * error mapping turned into the status (server, when it mapped one; never its message), the time
 * the call had left when it started ({@code deadline=250ms}, rounded up; {@code -} without a
 * deadline: on the server the deadline the client sent, on the client the earlier of the call's and
 * the current Context's, including a default set by {@code Limits.clientBuilder()} nearer the
 * application). Payloads, status descriptions and credentials are never logged. Values a caller
 * controls (the method name of an unknown method, the user agent, a principal's name) are written
 * bare only when they are printable ASCII without space, quote, backslash or {@code =}; otherwise
 * quoted, with {@code "} and a backslash escaped and other characters as a backslash, {@code u} and
 * four hex digits, so no value can add a field or a line. The key-value pairs carry the values
 * unescaped (the user agent cut to 256 characters). With SLF4J 2 the same fields are also attached
 * as key-value pairs (for JSON encoders); with SLF4J 1.7 only the readable message is written. When
 * the chosen level is disabled nothing is built. When the logger cannot write any level the access
 * log uses (for example it is set to OFF), the interceptors leave calls untouched and cost next to
 * nothing; this is checked on every call, so turning the logger back on takes effect with the next
 * call.
 *
 * <p>On the server the interceptor sits just inside the trace part and outside locale, error
 * mapping and auth, and reads the principal and the mapped exception from the call's scope, which
 * every part of the library shares. Install it (in a chain, or alone) with {@code
 * ServerChain.install(serverBuilder, interceptor)}: the status in the line is then the one the
 * transport sent, also for calls grpc-java closes itself past every interceptor (a request that
 * does not decode, a response that fails to serialize), and calls to methods the server does not
 * know get a line too (kind {@code UNKNOWN}). Registered with a bare {@code
 * ServerBuilder.intercept}, it logs the status the chain's outermost part saw closing the call, and
 * {@code UNKNOWN} for a call that completed without a close it could see (never {@code OK}); it
 * cannot see unknown methods.
 *
 * <p>On the client the trace id is the one the call sent in {@code traceparent} (read from the
 * outgoing headers, so it does not matter whether the trace part runs before or after the access
 * log), else that of the server call current when the call was made, else {@code -}.
 *
 * <p>This class is thread-safe.
 */
public final class AccessLog {

  /**
   * Name of the logger server lines go to unless {@link AccessLogServerBuilder#logger} replaces it.
   */
  public static final String SERVER_LOGGER_NAME = "io.github.grpcmiddleware.access.server";

  /**
   * Name of the logger client lines go to unless {@link AccessLogServerBuilder#logger} replaces it.
   */
  public static final String CLIENT_LOGGER_NAME = "io.github.grpcmiddleware.access.client";

  private AccessLog() {}

  /**
   * Returns a builder for the server interceptor.
   *
   * @return a new builder with the default levels, no slow-call threshold and every method logged
   */
  public static AccessLogServerBuilder serverBuilder() {
    return new AccessLogServerBuilder();
  }

  /**
   * Returns the server interceptor with default settings; see {@link AccessLogServerBuilder}.
   *
   * @return the interceptor; never null
   */
  public static ServerInterceptor newServerInterceptor() {
    return serverBuilder().build();
  }

  /**
   * Returns the client interceptor with default settings; see {@link AccessLogClientBuilder}.
   *
   * @return the interceptor; never null
   */
  public static ClientInterceptor newClientInterceptor() {
    return clientBuilder().build();
  }

  /**
   * Returns a builder for the client interceptor.
   *
   * @return a new builder with the default levels, no slow-call threshold and every method logged
   */
  public static AccessLogClientBuilder clientBuilder() {
    return new AccessLogClientBuilder();
  }
}
