package io.github.grpcmiddleware.limits;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What an asynchronous limit ({@link LimitsServerBuilder#asyncLimit}) does when its store is slow
 * or down, and how it describes itself to rejected callers.
 *
 * <ul>
 *   <li>{@link Builder#timeout(Duration) timeout}: the longest a call waits for the store's answer
 *       (default {@link #DEFAULT_TIMEOUT}). A later answer is ignored (a granted permit is
 *       released).
 *   <li>Fail open (the default): when the store fails or is late, the call goes on as if granted.
 *       The first failure of an outage is logged once at WARN, the recovery at INFO, and every call
 *       let through is counted ({@link RejectionListener#failedOpen}, {@link
 *       io.github.grpcmiddleware.metrics.LimitMetrics}).
 *   <li>Fail closed ({@link Builder#failClosed()}): the call is rejected with {@code UNAVAILABLE}
 *       (not {@code RESOURCE_EXHAUSTED}: the caller is not over its quota, the server cannot tell).
 *       Same WARN and INFO; the rejection is counted with {@link LimitType#UNAVAILABLE}.
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

  private AsyncLimitOptions(Builder builder) {
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
  public static Builder builder() {
    return new Builder();
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

  /**
   * Configures {@link AsyncLimitOptions}.
   *
   * <p>Not thread-safe; {@link #build()} copies what it needs.
   */
  public static final class Builder {
    private Duration timeout = DEFAULT_TIMEOUT;
    private boolean failOpen = true;
    private @Nullable String description;

    private Builder() {}

    /**
     * Sets the longest a call waits for the store's answer.
     *
     * @param timeout positive, at most one hour; not null
     * @return this builder
     * @throws IllegalArgumentException when {@code timeout} is not positive or longer than an hour
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0 and <= PT1H)");
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Lets calls go on when the store fails or is late (the default).
     *
     * @return this builder
     */
    public Builder failOpen() {
      this.failOpen = true;
      return this;
    }

    /**
     * Rejects calls with {@code UNAVAILABLE} when the store fails or is late.
     *
     * @return this builder
     */
    public Builder failClosed() {
      this.failOpen = false;
      return this;
    }

    /**
     * Sets what {@code QuotaFailure}'s description says after the limit's name, such as {@code "20
     * calls per second per caller"}.
     *
     * @param description not null, not empty
     * @return this builder
     * @throws IllegalArgumentException when {@code description} is empty
     */
    public Builder description(String description) {
      Objects.requireNonNull(description, "description");
      if (description.isEmpty()) {
        throw new IllegalArgumentException("description: \"\" (expected: not empty)");
      }
      this.description = description;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options; never null
     */
    public AsyncLimitOptions build() {
      return new AsyncLimitOptions(this);
    }
  }
}
