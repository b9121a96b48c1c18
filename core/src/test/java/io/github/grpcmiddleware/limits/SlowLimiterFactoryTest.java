package io.github.grpcmiddleware.limits;

import static io.github.grpcmiddleware.limits.Harness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SlowLimiterFactoryTest {
  private static final Metadata.Key<String> TENANT =
      Metadata.Key.of("x-tenant", Metadata.ASCII_STRING_MARSHALLER);
  private static final LimitKey BY_TENANT =
      (call, headers) -> {
        String tenant = headers.get(TENANT);
        return tenant == null ? "none" : tenant;
      };

  private static SimpleServiceGrpc.SimpleServiceBlockingStub as(Harness h, String tenant) {
    Metadata headers = new Metadata();
    headers.put(TENANT, tenant);
    return h.blocking().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  @Test
  void aSlowFactoryForOneKeyDoesNotStallTheCallsOfOtherKeys() throws Exception {
    CountDownLatch slowEntered = new CountDownLatch(1);
    CountDownLatch slowMayReturn = new CountDownLatch(1);
    AtomicInteger created = new AtomicInteger();
    LimiterFactory factory =
        key -> {
          created.incrementAndGet();
          if (key.equals("slow")) {
            // A factory that looks its limiter up somewhere remote, and that remote is slow.
            slowEntered.countDown();
            try {
              slowMayReturn.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return Permit::granted;
        };
    ControlledService service = new ControlledService();
    try (Harness h =
        Harness.inProcess(
            service,
            Limits.serverBuilder()
                .limit("per-tenant", LimitType.RATE, MethodSelector.of("*"), BY_TENANT, factory)
                .build())) {
      assertThat(as(h, "fast").unaryRpc(request("ok")).getResponseMessage()).isEqualTo("ok");
      CompletableFuture<SimpleResponse> slow =
          CompletableFuture.supplyAsync(() -> as(h, "slow").unaryRpc(request("ok")));
      try {
        assertThat(slowEntered.await(10, TimeUnit.SECONDS)).isTrue();
        // The known key and a new key both answer while the slow key's factory still runs.
        assertThat(
                as(h, "fast")
                    .withDeadlineAfter(2, TimeUnit.SECONDS)
                    .unaryRpc(request("ok"))
                    .getResponseMessage())
            .isEqualTo("ok");
        assertThat(
                as(h, "new")
                    .withDeadlineAfter(2, TimeUnit.SECONDS)
                    .unaryRpc(request("ok"))
                    .getResponseMessage())
            .isEqualTo("ok");
      } finally {
        slowMayReturn.countDown();
      }
      assertThat(slow.get(10, TimeUnit.SECONDS).getResponseMessage()).isEqualTo("ok");
      assertThat(service.handled).hasValue(4);
      assertThat(created).hasValue(3);
    }
  }
}
