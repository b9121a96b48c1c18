package io.github.grpcmiddleware.internal;

import io.grpc.Metadata;
import io.grpc.Status;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * This class is internal and is hence not for public use. Its APIs are unstable and can change at
 * any time.
 *
 * <p>What a part's start hook decided: go on ({@link #CONTINUE}), the call was rejected ({@link
 * #REJECTED}, after {@link PipelineCall#reject}), or the decision comes later ({@link Pending}).
 * The synchronous answers are shared constants, so a call that needs no decision from the network
 * allocates nothing for this.
 */
public abstract class StartResult {

  /** The part is done; the next one starts. */
  public static final StartResult CONTINUE = new StartResult() {};

  /** The part closed the call; nothing after it starts. */
  public static final StartResult REJECTED = new StartResult() {};

  StartResult() {}

  /**
   * Returns a decision the part completes later, from any thread, with {@link Pending#proceed()} or
   * {@link Pending#reject}. Until then the call's inbound events wait; a cancel meanwhile ends the
   * call at once.
   *
   * @param executor where the call goes on once decided (the server's executor, so that the service
   *     never runs on the thread that completed the decision, such as a Redis client's I/O thread);
   *     not null
   * @return the pending decision; never null
   */
  public static Pending later(Executor executor) {
    return new Pending(Objects.requireNonNull(executor, "executor"));
  }

  /** A start decision that arrives later. This class is thread-safe. */
  public static final class Pending extends StartResult {
    final Executor executor;
    private @Nullable Runnable onDecided;
    private boolean decided;
    private @Nullable Status rejection;
    private @Nullable Metadata rejectionTrailers;

    Pending(Executor executor) {
      this.executor = executor;
    }

    /** The call goes on. Only the first decision counts. */
    public void proceed() {
      decide(null, null);
    }

    /**
     * The call is rejected with {@code status}, which travels outwards like a rejection at start
     * (error mapping outside renders it). Only the first decision counts.
     *
     * @param status the status; not null
     * @param trailers the trailers; not null
     */
    public void reject(Status status, Metadata trailers) {
      decide(
          Objects.requireNonNull(status, "status"), Objects.requireNonNull(trailers, "trailers"));
    }

    private void decide(@Nullable Status status, @Nullable Metadata trailers) {
      Runnable run;
      synchronized (this) {
        if (decided) {
          return;
        }
        decided = true;
        rejection = status;
        rejectionTrailers = trailers;
        run = onDecided;
      }
      if (run != null) {
        execute(run);
      }
    }

    /** Runs on the executor; inline when it refuses (shut down), so that no call waits forever. */
    private void execute(Runnable run) {
      try {
        executor.execute(run);
      } catch (RuntimeException e) {
        run.run();
      }
    }

    /** Runs {@code run} on the executor once decided (at once if decided already). */
    void whenDecided(Runnable run) {
      synchronized (this) {
        if (!decided) {
          onDecided = run;
          return;
        }
      }
      execute(run);
    }

    synchronized @Nullable Status rejection() {
      return rejection;
    }

    synchronized @Nullable Metadata rejectionTrailers() {
      return rejectionTrailers;
    }
  }
}
