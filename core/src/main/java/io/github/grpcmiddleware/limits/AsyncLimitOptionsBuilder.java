package io.github.grpcmiddleware.limits;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Configures {@link AsyncLimitOptions}; obtained from {@link AsyncLimitOptions#builder()}, set to
 * the defaults.
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs.
 */
public final class AsyncLimitOptionsBuilder {
  Duration timeout = AsyncLimitOptions.DEFAULT_TIMEOUT;
  boolean failOpen = true;
  @Nullable String description;

  AsyncLimitOptionsBuilder() {}

  /**
   * Sets the longest a call waits for the store's answer.
   *
   * @param timeout positive, at most one hour; not null
   * @return this builder
   * @throws IllegalArgumentException when {@code timeout} is not positive or longer than an hour
   */
  public AsyncLimitOptionsBuilder timeout(Duration timeout) {
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
  public AsyncLimitOptionsBuilder failOpen() {
    this.failOpen = true;
    return this;
  }

  /**
   * Rejects calls with {@code UNAVAILABLE} when the store fails or is late.
   *
   * @return this builder
   */
  public AsyncLimitOptionsBuilder failClosed() {
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
  public AsyncLimitOptionsBuilder description(String description) {
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
