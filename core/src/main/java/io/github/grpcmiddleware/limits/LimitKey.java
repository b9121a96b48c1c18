package io.github.grpcmiddleware.limits;

import io.github.grpcmiddleware.auth.Auth;
import io.grpc.Metadata;
import io.grpc.ServerCall;

/**
 * Chooses what a limit counts separately: everything together, each method, each principal, or each
 * peer address. A key computed from what the caller sends (a header, a principal's name, an
 * address) is bounded by {@link LimitsServerBuilder#maxKeys(int)}.
 *
 * <p>Implementations must be thread-safe and cheap; they run once per call and limit.
 */
@FunctionalInterface
public interface LimitKey {

  /**
   * The key of calls without a principal (exempt methods, no auth part) for {@link #principal()};
   * no authenticated caller has it, whatever its name.
   */
  String ANONYMOUS = "anonymous";

  /**
   * Returns the key of a call.
   *
   * @param call the call; not null
   * @param headers its headers; not null
   * @return the key; never null
   */
  String keyOf(ServerCall<?, ?> call, Metadata headers);

  /**
   * One key for every call: a server-wide limit.
   *
   * @return the key function; never null
   */
  static LimitKey global() {
    return BuiltInKeys.GLOBAL;
  }

  /**
   * The full method name: a limit per method.
   *
   * @return the key function; never null
   */
  static LimitKey method() {
    return BuiltInKeys.METHOD;
  }

  /**
   * {@code principal:} followed by the authenticated principal's name ({@link Auth#principal()}),
   * or {@value #ANONYMOUS} for every call without a principal: a limit per caller, in which the
   * unauthenticated callers share one key (a principal named {@code anonymous} is {@code
   * principal:anonymous}, a key of its own). Needs the limits part inside auth, as {@code
   * ServerChain} places it.
   *
   * @return the key function; never null
   */
  static LimitKey principal() {
    return BuiltInKeys.PRINCIPAL;
  }

  /**
   * The peer's IP address without the port (a client opens new connections from new ports), or the
   * transport's name for the peer when it has no IP address (in-process).
   *
   * @return the key function; never null
   */
  static LimitKey peer() {
    return BuiltInKeys.PEER;
  }
}
