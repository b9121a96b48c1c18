package io.github.grpcmiddleware.internal;

import io.grpc.Status;

/**
 * Told once, when a server call has ended, the status the caller received.
 *
 * <p>This class is internal and is hence not for public use. Its APIs are unstable and can change
 * at any time.
 *
 * <p>Observers (access log, metrics, spans, the permits of a limit) register with {@link
 * ServerCallScope#observe} when the call starts: the call's one end hook. With the stream tracer of
 * {@link ServerCallTracerFactory} installed, the status is the one the transport sent ({@code
 * ServerStreamTracer.streamClosed}), including calls grpc-java closed itself; without it, the
 * status the outermost wrapper saw, or {@code UNKNOWN} when the call completed without a close the
 * wrappers could see.
 */
public interface ServerCallObserver {

  /**
   * Records the end of a call; called at most once per call and observer, on any thread. Must not
   * throw.
   *
   * @param call the call's scope; for a method the server does not know, {@link
   *     ServerCallScope#method()} is null
   * @param status the status the caller received
   */
  void callEnded(ServerCallScope call, Status status);
}
