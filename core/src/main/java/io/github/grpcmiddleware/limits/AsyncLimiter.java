package io.github.grpcmiddleware.limits;

import java.util.concurrent.CompletionStage;

/**
 * Decides, possibly later, whether one more call under one key may start: the asynchronous form of
 * {@link Limiter}, for state that lives elsewhere (a Redis shared by every replica, through the
 * {@code grpc-middleware-bucket4j} module, or a service of your own).
 *
 * <p>The limits part waits for the answer without holding a thread, at most the limit's timeout
 * ({@link AsyncLimitOptions}); a stage that fails, completes with {@code null} or is late counts as
 * a store failure, and the limit then fails open or closed as configured. A granted permit that
 * arrives after the timeout is released at once.
 *
 * <p>Implementations must be thread-safe and must not block in {@link #acquire()}: it runs on the
 * call's thread, which may be a transport thread. The stage may complete on any thread (a client
 * library's I/O thread); the library does no work of the application on that thread.
 */
@FunctionalInterface
public interface AsyncLimiter {

  /**
   * Asks for a permit for one call.
   *
   * @return a stage that completes with the permit, granted or rejected; never null
   */
  CompletionStage<Permit> acquire();
}
