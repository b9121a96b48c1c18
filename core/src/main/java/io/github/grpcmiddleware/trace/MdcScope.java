package io.github.grpcmiddleware.trace;

/**
 * MDC entries put for one call, removed again (restoring what the MDC held before) by {@link
 * #close()}.
 *
 * <p>Use it in try-with-resources on the thread that logs. Not thread-safe: close it on the thread
 * that opened it.
 */
public interface MdcScope extends AutoCloseable {

  /** Restores the MDC entries this scope replaced; never throws. */
  @Override
  void close();
}
