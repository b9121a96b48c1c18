package io.github.grpcmiddleware.limits;

/**
 * Entry point for deadlines and load limits: {@link #serverBuilder()} makes the server part
 * (deadline cap, calls that must carry a deadline, concurrency and rate limits), {@link
 * #clientBuilder()} the client part (a default deadline for calls that have none).
 *
 * <pre>{@code
 * ServerInterceptor limits = Limits.serverBuilder()
 *     .deadlineCap(MethodSelector.of("*"), Duration.ofSeconds(10))
 *     .concurrencyLimit("per-caller", MethodSelector.of("*"), LimitKey.principal(), 16)
 *     .rateLimit("per-peer", MethodSelector.of("*"), LimitKey.peer(), 100, Duration.ofSeconds(1))
 *     .build();
 * ServerInterceptor chain = ServerChain.builder()
 *     .errorMapping(ErrorMapping.serverBuilder().build())
 *     .auth(auth)
 *     .limits(limits)
 *     .build();
 * }</pre>
 *
 * <p>In the server chain the limits part sits inside error mapping (its rejections are rendered in
 * the caller's language) and after auth (an unauthenticated caller spends no one's quota, and
 * {@link LimitKey#principal()} sees the principal). A rejected call gets {@code RESOURCE_EXHAUSTED}
 * with {@code google.rpc.ErrorInfo}, {@code RetryInfo} and {@code QuotaFailure} before the service
 * sees it.
 *
 * <p>This class is thread-safe.
 */
public final class Limits {

  private Limits() {}

  /**
   * Returns a builder for the server part; with nothing configured it lets every call through.
   *
   * @return a new builder; never null
   */
  public static LimitsServerBuilder serverBuilder() {
    return new LimitsServerBuilder();
  }

  /**
   * Returns a builder for the client part; with nothing configured it leaves every call alone.
   *
   * @return a new builder; never null
   */
  public static LimitsClientBuilder clientBuilder() {
    return new LimitsClientBuilder();
  }
}
