package io.github.grpcmiddleware.limits;

import static io.github.grpcmiddleware.limits.Harness.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.RetryInfo;
import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.testsupport.RetryRecorder;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** Every RESOURCE_EXHAUSTED from limits carries grpc-retry-pushback-ms (gRFC A6). */
class RetryPushbackTest {
  private static final MethodSelector ALL = MethodSelector.of("*");
  private static final Metadata.Key<String> PUSHBACK =
      Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

  private final AtomicLong clock = new AtomicLong(42);

  private static @Nullable String pushback(StatusRuntimeException e) {
    return Objects.requireNonNull(e.getTrailers()).get(PUSHBACK);
  }

  private static long retryMillis(StatusRuntimeException e) {
    com.google.protobuf.Duration delay = Details.detail(e, RetryInfo.class).getRetryDelay();
    return TimeUnit.SECONDS.toMillis(delay.getSeconds())
        + TimeUnit.NANOSECONDS.toMillis(delay.getNanos());
  }

  private static StatusRuntimeException rejected(SimpleServiceGrpc.SimpleServiceBlockingStub stub) {
    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> stub.unaryRpc(request("ok")));
    assertThat(e).as("the call was rejected").isNotNull();
    return e;
  }

  @Test
  void aRateRejectionSaysRetryInfosDelayInWholeMillisecondsRoundedUp() throws Exception {
    ServerInterceptor limits =
        Limits.serverBuilder()
            .ticker(clock::get)
            .rateLimit("two-per-second", ALL, LimitKey.global(), 2, Duration.ofSeconds(1))
            .build();
    try (Harness h = Harness.inProcess(new ControlledService(), limits)) {
      h.blocking().unaryRpc(request("ok"));
      h.blocking().unaryRpc(request("ok"));
      StatusRuntimeException e = rejected(h.blocking());
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(retryMillis(e)).isEqualTo(500);
      assertThat(pushback(e)).isEqualTo("500");

      // 0.5 ms to the next token: a client must not come back before it, so 1 ms.
      clock.addAndGet(TimeUnit.MICROSECONDS.toNanos(499_500));
      assertThat(pushback(rejected(h.blocking()))).isEqualTo("1");
    }
  }

  @Test
  void aConcurrencyRejectionCarriesThePushbackToo() throws Exception {
    ControlledService service = new ControlledService();
    ServerInterceptor limits =
        Limits.serverBuilder().concurrencyLimit("one", ALL, LimitKey.global(), 1).build();
    try (Harness h = Harness.inProcess(service, limits)) {
      h.async()
          .unaryRpc(
              request("block"),
              new io.grpc.stub.StreamObserver<>() {
                @Override
                public void onNext(io.grpc.testing.protobuf.SimpleResponse value) {}

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {}
              });
      service.awaitBlocked(1);
      StatusRuntimeException e = rejected(h.blocking());
      // No call has ended yet: the first estimate, 100 ms.
      assertThat(pushback(e)).isEqualTo("100").isEqualTo(Long.toString(retryMillis(e)));
      service.open();
    }
  }

  @Test
  void aCallWithoutARequiredDeadlineIsToldNotToRetry() throws Exception {
    ServerInterceptor limits = Limits.serverBuilder().requireDeadline(ALL).build();
    try (Harness h = Harness.inProcess(new ControlledService(), limits)) {
      StatusRuntimeException e = rejected(h.blocking());
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(pushback(e)).isEqualTo("-1");
    }
  }

  @Test
  void errorMappingKeepsThePushbackWhenItRendersTheRejectionAgain() throws Exception {
    ServerInterceptor chain =
        ServerChain.builder()
            .errorMapping(ErrorMapping.serverBuilder().build())
            .limits(
                Limits.serverBuilder()
                    .ticker(clock::get)
                    .rateLimit("one-per-minute", ALL, LimitKey.global(), 1, Duration.ofMinutes(1))
                    .build())
            .build();
    try (Harness h = Harness.inProcess(new ControlledService(), chain)) {
      h.blocking().unaryRpc(request("ok"));
      StatusRuntimeException e = rejected(h.blocking());
      Metadata trailers = Objects.requireNonNull(e.getTrailers());
      assertThat(
              trailers.get(Metadata.Key.of("content-language", Metadata.ASCII_STRING_MARSHALLER)))
          .as("rendered by error mapping")
          .isEqualTo("en");
      assertThat(pushback(e)).isEqualTo("60000");
      assertThat(trailers.getAll(PUSHBACK)).hasSize(1);
    }
  }

  /**
   * grpc-java's own retry policy (service config) for RESOURCE_EXHAUSTED, with a backoff of 10 ms:
   * only the pushback makes it wait long enough for the next token.
   */
  @Test
  void aClientRetryPolicyWaitsForThePushbackAndItsRetrySucceeds() throws Exception {
    RetryRecorder recorder = new RetryRecorder();
    ServerInterceptor limits =
        Limits.serverBuilder()
            .rateLimit("one-per-400ms", ALL, LimitKey.global(), 1, Duration.ofMillis(400))
            .build();
    Server server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(ServerInterceptors.intercept(new ControlledService(), limits, recorder))
            .build()
            .start();
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", server.getPort(), InsecureChannelCredentials.create())
            .defaultServiceConfig(RetryRecorder.retryingServiceConfig("grpc.testing.SimpleService"))
            .enableRetry()
            .build();
    try {
      SimpleServiceGrpc.SimpleServiceBlockingStub stub =
          SimpleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
      assertThat(stub.unaryRpc(request("ok")).getResponseMessage()).isEqualTo("ok");
      long start = System.nanoTime();
      assertThat(stub.unaryRpc(request("ok")).getResponseMessage()).isEqualTo("ok");
      long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

      recorder.assertRetriedAfterPushback("local limit", waitedMillis);
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
      server.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
