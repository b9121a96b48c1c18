package io.github.grpcmiddleware.internal;

import io.grpc.Metadata;

/**
 * A client part whose only work on a call is to add request headers when the call starts (the
 * locale part's {@code accept-language}). A client chain runs such parts inside the call wrapper of
 * the tracing part right after them ({@link ClientHeaderHost}) instead of giving each a call
 * wrapper of its own.
 *
 * <p>This class is internal and is hence not for public use. Its APIs are unstable and can change
 * at any time.
 */
public interface ClientHeaderPart {

  /**
   * Adds this part's headers to a call's request headers, exactly as its own call wrapper's {@code
   * start} would; called once per call, on the thread that starts it.
   *
   * @param headers the request headers; not null
   */
  void addHeaders(Metadata headers);
}
