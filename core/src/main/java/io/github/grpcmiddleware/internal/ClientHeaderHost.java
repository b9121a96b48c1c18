package io.github.grpcmiddleware.internal;

import io.grpc.ClientInterceptor;

/**
 * A client part with a call wrapper of its own (the tracing part) that can run the {@link
 * ClientHeaderPart}s in front of it at its start: a client chain whose header parts sit right
 * outside such a part gives each call one wrapper for all of them.
 *
 * <p>This class is internal and is hence not for public use. Its APIs are unstable and can change
 * at any time.
 */
public interface ClientHeaderHost {

  /**
   * Returns a part that first runs {@code outer} in order, as if each wrapped the call outside this
   * part, then does this part's own work; this part is unchanged.
   *
   * @param outer the header parts, outermost first; not null
   * @return the combined part; never null
   */
  ClientInterceptor withOuterHeaderParts(ClientHeaderPart[] outer);
}
