package io.github.grpcmiddleware.limits;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What an asynchronous limit ({@link LimitsServerBuilder#asyncLimit}) does when its store is slow
 * or down, and how it describes itself to rejected callers.
 *
 * <ul>
 *   <li>{@link AsyncLimitOptionsBuilder#timeout(Duration) timeout}: the longest a call waits for
 *       the store's answer (default {@link #DEFAULT_TIMEOUT}). A later answer is ignored (a granted
 *       permit is released).
 *   <li>Fail open (the default): when the store fails or is late, the call goes on as if granted.
 *       The first failure of an outage is logged once at WARN, the recovery at INFO, and every call
 *       let through is counted ({@link RejectionListener#failedOpen}, {@link
 *       io.github.grpcmiddleware.metrics.LimitMetrics}).
 *   <li>Fail closed ({@link AsyncLimitOptionsBuilder#failClosed()}): the call is rejected with
 *       {@code UNAVAILABLE} (not {@code RESOURCE_EXHAUSTED}: the caller is not over its quota, the
 *       server cannot tell). Same WARN and INFO; the rejection is counted with {@link
 *       LimitType#UNAVAILABLE}.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class AsyncLimitOptions {

  /** The default timeout: 100 ms, far above a Redis round trip in one data centre. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(100);

  private static final AsyncLimitOptions DEFAULTS = builder().build();

  private final Duration timeout;
  private final boolean failOpen;
  private final @Nullable String description;

  AsyncLimitOptions(AsyncLimitOptionsBuilder builder) {
    this.timeout = builder.timeout;
    this.failOpen = builder.failOpen;
    this.description = builder.description;
  }

  /**
   * Returns the defaults: fail open, {@link #DEFAULT_TIMEOUT}, the description {@code "<type>
   * limit"}.
   *
   * @return the shared defaults; never null
   */
  public static AsyncLimitOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Returns a new builder, set to the defaults.
   *
   * @return a new builder; never null
   */
  public static AsyncLimitOptionsBuilder builder() {
    return new AsyncLimitOptionsBuilder();
  }

  /**
   * Returns the longest a call waits for the store.
   *
   * @return the timeout; positive
   */
  public Duration timeout() {
    return timeout;
  }

  /**
   * Tells whether a call goes on when the store fails or is late.
   *
   * @return {@code true} to fail open, {@code false} to answer {@code UNAVAILABLE}
   */
  public boolean failsOpen() {
    return failOpen;
  }

  /**
   * Returns the text sent in {@code QuotaFailure}'s description after the limit's name, or null for
   * {@code "<type> limit"}.
   *
   * @return the description, or null
   */
  public @Nullable String description() {
    return description;
  }

  @Override
  public boolean equals(@Nullable Object other) {
    if (!(other instanceof AsyncLimitOptions)) {
      return false;
    }
    AsyncLimitOptions that = (AsyncLimitOptions) other;
    return timeout.equals(that.timeout)
        && failOpen == that.failOpen
        && Objects.equals(description, that.description);
  }

  @Override
  public int hashCode() {
    return Objects.hash(timeout, failOpen, description);
  }

  @Override
  public String toString() {
    return "AsyncLimitOptions[timeout="
        + timeout
        + ", "
        + (failOpen ? "fail open" : "fail closed")
        + (description == null ? "" : ", description=" + description)
        + "]";
  }
}
