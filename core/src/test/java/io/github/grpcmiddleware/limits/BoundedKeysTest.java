package io.github.grpcmiddleware.limits;

import static io.github.grpcmiddleware.limits.Harness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BoundedKeysTest {

  @Test
  void hundredThousandDistinctKeysKeepAtMostMaxKeysLimiters() {
    AtomicInteger created = new AtomicInteger();
    KeyedLimiters<Limiter> keyed =
        new KeyedLimiters<>(
            key -> {
              created.incrementAndGet();
              // A clock that stands still: no token refills between the two acquisitions.
              return new TokenBucketLimiter(1, 1_000_000, () -> 0L);
            },
            "LimiterFactory",
            1_000);
    for (int i = 0; i < 100_000; i++) {
      assertThat(keyed.forKey("spoofed-" + i).tryAcquire().isGranted()).isTrue();
    }
    assertThat(keyed.size()).isEqualTo(1_000);
    assertThat(created).hasValue(100_000);

    // The most recent keys are still known; the oldest was forgotten and starts afresh.
    Limiter recent = keyed.forKey("spoofed-99999");
    assertThat(created).hasValue(100_000);
    assertThat(recent.tryAcquire().isGranted()).isFalse();
    keyed.forKey("spoofed-0");
    assertThat(created).hasValue(100_001);
    assertThat(keyed.size()).isEqualTo(1_000);
  }

  @Test
  void keysACallerMakesUpAreBoundedThroughARealServer() throws Exception {
    Metadata.Key<String> tenant = Metadata.Key.of("x-tenant", Metadata.ASCII_STRING_MARSHALLER);
    LimitKey byTenant =
        (call, headers) -> {
          String value = headers.get(tenant);
          return value == null ? "none" : value;
        };
    LimitsServerInterceptor limits =
        (LimitsServerInterceptor)
            Limits.serverBuilder()
                .maxKeys(50)
                .rateLimit("per-tenant", MethodSelector.of("*"), byTenant, 5, Duration.ofSeconds(1))
                .concurrencyLimit("inflight-per-tenant", MethodSelector.of("*"), byTenant, 2)
                .build();
    try (Harness h = Harness.inProcess(new ControlledService(), limits)) {
      for (int i = 0; i < 1_000; i++) {
        Metadata headers = new Metadata();
        headers.put(tenant, "tenant-" + i);
        assertThat(
                h.blocking()
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .unaryRpc(request("ok"))
                    .getResponseMessage())
            .isEqualTo("ok");
      }
    }
    assertThat(limits.rule("per-tenant").keys()).isEqualTo(50);
    assertThat(limits.rule("inflight-per-tenant").keys()).isEqualTo(50);
  }
}
