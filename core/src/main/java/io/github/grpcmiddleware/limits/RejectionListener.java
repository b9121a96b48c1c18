package io.github.grpcmiddleware.limits;

import io.grpc.MethodDescriptor;

/**
 * Told about every call the limits part rejects, before the call is closed, and about every call an
 * asynchronous limit let through because its store failed; {@link
 * io.github.grpcmiddleware.metrics.LimitMetrics#rejectionCounter} is the Micrometer one.
 *
 * <p>Implementations must be thread-safe, must not block and should not throw (what they throw is
 * logged at DEBUG and ignored).
 */
@FunctionalInterface
public interface RejectionListener {

  /**
   * Called once per rejected call.
   *
   * @param method the method called; not null
   * @param limitName the name of the limit that rejected it (the one given to the builder, or
   *     {@code deadline} for a missing deadline); not null
   * @param type why; not null
   */
  void rejected(MethodDescriptor<?, ?> method, String limitName, LimitType type);

  /**
   * Called once per call that an asynchronous limit let through undecided because its store failed
   * or did not answer within the timeout, and the limit fails open ({@link AsyncLimitOptions}). May
   * run on the store client's I/O thread or the library's timer thread. Does nothing by default.
   *
   * @param method the method called; not null
   * @param limitName the name of the limit; not null
   */
  default void failedOpen(MethodDescriptor<?, ?> method, String limitName) {}
}
