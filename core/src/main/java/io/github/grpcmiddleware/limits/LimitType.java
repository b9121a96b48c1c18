package io.github.grpcmiddleware.limits;

/**
 * Why the limits part rejected a call; the {@code reason} tag of {@link
 * io.github.grpcmiddleware.metrics.LimitMetrics} and the {@code reason} of the {@code
 * google.rpc.ErrorInfo} sent to the caller.
 */
public enum LimitType {
  /** Too many calls in flight. */
  CONCURRENCY("concurrency", "CONCURRENCY_LIMIT_EXCEEDED"),
  /** Too many calls per unit of time. */
  RATE("rate", "RATE_LIMIT_EXCEEDED"),
  /** The call has no deadline and the method requires one. */
  DEADLINE_REQUIRED("deadline_required", "DEADLINE_REQUIRED"),
  /**
   * An asynchronous limit that fails closed could not decide: its store failed or did not answer
   * within the timeout ({@link AsyncLimitOptions}). The call gets {@code UNAVAILABLE}.
   */
  UNAVAILABLE("unavailable", "LIMIT_UNAVAILABLE");

  private final String tag;
  private final String reason;

  LimitType(String tag, String reason) {
    this.tag = tag;
    this.reason = reason;
  }

  /**
   * Returns the lowercase name used as a metric tag value, such as {@code rate}.
   *
   * @return the tag value; never null
   */
  public String tag() {
    return tag;
  }

  /**
   * Returns the {@code google.rpc.ErrorInfo} reason, such as {@code RATE_LIMIT_EXCEEDED}.
   *
   * @return the reason; never null
   */
  public String reason() {
    return reason;
  }
}
