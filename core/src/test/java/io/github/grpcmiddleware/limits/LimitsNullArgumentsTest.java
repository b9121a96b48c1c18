package io.github.grpcmiddleware.limits;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.metrics.LimitMetrics;
import io.github.grpcmiddleware.selector.MethodSelector;
import java.time.Duration;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Every public method of the limits package rejects null where it enters, naming the parameter. */
@SuppressWarnings("NullAway") // passes null on purpose
class LimitsNullArgumentsTest {
  private static final MethodSelector ALL = MethodSelector.of("*");
  private static final Duration SECOND = Duration.ofSeconds(1);
  private static final LimiterFactory FACTORY = key -> Permit::granted;

  private static void rejects(String parameter, ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOf(NullPointerException.class).hasMessage(parameter);
  }

  @Test
  void serverBuilder() {
    LimitsServerBuilder b = Limits.serverBuilder();
    rejects("methods", () -> b.deadlineCap(null, SECOND));
    rejects("cap", () -> b.deadlineCap(ALL, null));
    rejects("methods", () -> b.requireDeadline(null));
    rejects("name", () -> b.concurrencyLimit(null, ALL, LimitKey.global(), 1));
    rejects("methods", () -> b.concurrencyLimit("c", null, LimitKey.global(), 1));
    rejects("key", () -> b.concurrencyLimit("c", ALL, null, 1));
    rejects("name", () -> b.rateLimit(null, ALL, LimitKey.global(), 1, SECOND));
    rejects("methods", () -> b.rateLimit("r", null, LimitKey.global(), 1, SECOND));
    rejects("key", () -> b.rateLimit("r", ALL, null, 1, SECOND));
    rejects("per", () -> b.rateLimit("r", ALL, LimitKey.global(), 1, null));
    rejects("name", () -> b.limit(null, LimitType.RATE, ALL, LimitKey.global(), FACTORY));
    rejects("type", () -> b.limit("l", null, ALL, LimitKey.global(), FACTORY));
    rejects("methods", () -> b.limit("l", LimitType.RATE, null, LimitKey.global(), FACTORY));
    rejects("key", () -> b.limit("l", LimitType.RATE, ALL, null, FACTORY));
    rejects("factory", () -> b.limit("l", LimitType.RATE, ALL, LimitKey.global(), null));
    AsyncLimiterFactory async = key -> () -> null;
    AsyncLimitOptions defaults = AsyncLimitOptions.defaults();
    rejects("name", () -> b.asyncLimit(null, LimitType.RATE, ALL, LimitKey.global(), async));
    rejects("type", () -> b.asyncLimit("a", null, ALL, LimitKey.global(), async));
    rejects("methods", () -> b.asyncLimit("a", LimitType.RATE, null, LimitKey.global(), async));
    rejects("key", () -> b.asyncLimit("a", LimitType.RATE, ALL, null, async));
    rejects("factory", () -> b.asyncLimit("a", LimitType.RATE, ALL, LimitKey.global(), null));
    rejects(
        "options", () -> b.asyncLimit("a", LimitType.RATE, ALL, LimitKey.global(), async, null));
    rejects(
        "name", () -> b.asyncLimit(null, LimitType.RATE, ALL, LimitKey.global(), async, defaults));
    rejects("listener", () -> b.rejectionListener(null));
    rejects("timer", () -> b.scheduler(null));
    rejects("executor", () -> b.callExecutor(null));
  }

  @Test
  void clientBuilder() {
    LimitsClientBuilder b = Limits.clientBuilder();
    rejects("methods", () -> b.defaultDeadline(null, SECOND));
    rejects("timeout", () -> b.defaultDeadline(ALL, null));
  }

  @Test
  void permitsAndMetrics() {
    rejects("onRelease", () -> Permit.granted(null));
    rejects("retryAfter", () -> Permit.rejected(null));
    rejects("registry", () -> LimitMetrics.rejectionCounter(null));
    rejects("registry", () -> LimitMetrics.rejectionCounter(null, 10));
    rejects("timeout", () -> AsyncLimitOptions.builder().timeout(null));
    rejects("description", () -> AsyncLimitOptions.builder().description(null));
  }
}
