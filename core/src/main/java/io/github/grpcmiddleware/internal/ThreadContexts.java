package io.github.grpcmiddleware.internal;

import java.util.Arrays;
import java.util.Objects;

/**
 * Thread-bound contexts other than {@code io.grpc.Context} that {@code TraceIds.wrap} carries to
 * other threads, registered by the module that owns them so that core imports none of them: the
 * otel module registers OpenTelemetry's Context when {@code GrpcTracing} is first used.
 *
 * <p>This class is internal and is hence not for public use. Its APIs are unstable and can change
 * at any time.
 */
public final class ThreadContexts {

  /**
   * Carries one kind of thread-bound context.
   *
   * <p>This class is internal and is hence not for public use. Its APIs are unstable and can change
   * at any time.
   */
  public interface Carrier {
    /**
     * Wraps a task so that it runs with this kind of context as it is on the calling thread now,
     * and restores the running thread's context afterwards.
     *
     * @param task the task; not null
     * @return the wrapped task, or {@code task} itself when there is nothing to carry; never null
     */
    Runnable wrap(Runnable task);
  }

  private static volatile Carrier[] carriers = new Carrier[0];

  private ThreadContexts() {}

  /**
   * Registers a carrier; registering an equal one again does nothing.
   *
   * @param carrier the carrier; not null
   */
  public static synchronized void register(Carrier carrier) {
    Objects.requireNonNull(carrier, "carrier");
    Carrier[] current = carriers;
    for (Carrier registered : current) {
      if (registered.equals(carrier)) {
        return;
      }
    }
    Carrier[] grown = Arrays.copyOf(current, current.length + 1);
    grown[current.length] = carrier;
    carriers = grown;
  }

  /**
   * Wraps a task with every registered carrier, capturing each context on the calling thread now.
   *
   * @param task the task; not null
   * @return the wrapped task, or {@code task} itself when no carrier is registered; never null
   */
  public static Runnable wrap(Runnable task) {
    Runnable wrapped = Objects.requireNonNull(task, "task");
    for (Carrier carrier : carriers) {
      wrapped = carrier.wrap(wrapped);
    }
    return wrapped;
  }
}
