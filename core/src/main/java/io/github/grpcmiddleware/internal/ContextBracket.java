package io.github.grpcmiddleware.internal;

/**
 * This class is internal and is hence not for public use. Its APIs are unstable and can change at
 * any time.
 *
 * <p>Makes a Context of another system than io.grpc.Context current around each callback of a call
 * (OpenTelemetry's, when it keeps its Context in a thread-local of its own), inside the call's one
 * bracket.
 */
public interface ContextBracket {

  /**
   * Makes the Context current.
   *
   * @return what {@link #exit} needs to restore the previous one; never null
   */
  Object enter();

  /**
   * Restores what was current before {@link #enter}.
   *
   * @param token what {@code enter} returned
   */
  void exit(Object token);
}
