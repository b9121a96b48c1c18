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

  /**
   * The rest of a part's start, run once what it waited for has arrived (see {@link
   * Pending#proceed(Continuation)}).
   */
  @FunctionalInterface
  public interface Continuation {
    /**
     * Goes on with the part's start, on the pending decision's executor, inside the call's bracket
     * (its Context attached, its MDC entries in place), as the pipeline runs a start hook.
     *
     * @param scope the call's record; not null
     * @param call the call, for its facts and for {@link PipelineCall#reject}; not null
     * @param headers the request headers; not null
     * @return {@link #CONTINUE}, {@link #REJECTED} or another pending decision
     */
    StartResult start(ServerCallScope scope, PipelineCall<?, ?> call, Metadata headers);
  }

  /** A start decision that arrives later. This class is thread-safe. */
  public static final class Pending extends StartResult {
    final Executor executor;
    private @Nullable Runnable onDecided;
    private boolean decided;
    private @Nullable Status rejection;
    private @Nullable Metadata rejectionTrailers;
    private @Nullable Continuation continuation;

    Pending(Executor executor) {
      this.executor = executor;
    }

    /** The call goes on. Only the first decision counts. */
    public void proceed() {
      decide(null, null, null);
    }

    /**
     * The part has more to decide: {@code rest} runs on the executor inside the call's bracket and
     * its answer is the part's (the limits after the one that asked a store, the authorizer after
     * an authenticator that asked an identity provider). It does not run when the call ended while
     * it waited. Only the first decision counts.
     *
     * @param rest the rest of the part's start; not null
     */
    public void proceed(Continuation rest) {
      decide(null, null, Objects.requireNonNull(rest, "rest"));
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
          Objects.requireNonNull(status, "status"),
          Objects.requireNonNull(trailers, "trailers"),
          null);
    }

    private void decide(
        @Nullable Status status, @Nullable Metadata trailers, @Nullable Continuation rest) {
      Runnable run;
      synchronized (this) {
        if (decided) {
          return;
        }
        decided = true;
        rejection = status;
        rejectionTrailers = trailers;
        continuation = rest;
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

    synchronized @Nullable Continuation continuation() {
      return continuation;
    }
  }
}
