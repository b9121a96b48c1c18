package io.github.grpcmiddleware.bucket4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.QuotaFailure;
import com.google.rpc.RetryInfo;
import io.github.bucket4j.BucketConfiguration;
import io.github.grpcmiddleware.limits.AsyncLimitOptions;
import io.github.grpcmiddleware.limits.RejectionListener;
import io.github.grpcmiddleware.metrics.LimitMetrics;
import io.github.grpcmiddleware.redistest.RedisServer;
import io.github.grpcmiddleware.testsupport.Responses;
import io.github.grpcmiddleware.testsupport.RetryRecorder;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two replicas (two Netty servers on 127.0.0.1, each with its chain and its own Lettuce client)
 * share one Redis: a limit of 20 calls a second per caller holds for the service, not per replica;
 * its rejections carry RetryInfo, QuotaFailure and the pushback trailer, and a grpc-java client
 * whose retry policy honours the pushback succeeds on its retry.
 */
class SharedLimitServersTest {
  private static final Metadata.Key<String> PUSHBACK =
      Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

  @RegisterExtension static final RedisServer redis = new RedisServer();

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private static BucketConfiguration perInterval(int tokens, Duration interval) {
    // Refilled all at once when the interval has passed: an exact count within one interval.
    return BucketConfiguration.builder()
        .addLimit(limit -> limit.capacity(tokens).refillIntervally(tokens, interval))
        .build();
  }

  private static SimpleRequest request(String text) {
    return SimpleRequest.newBuilder().setRequestMessage(text).build();
  }

  private static <T extends com.google.protobuf.Message> T detail(
      StatusRuntimeException e, Class<T> type) throws InvalidProtocolBufferException {
    com.google.rpc.Status status = Objects.requireNonNull(StatusProto.fromThrowable(e));
    for (Any any : status.getDetailsList()) {
      if (any.is(type)) {
        return any.unpack(type);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + status);
  }

  @Test
  void twoReplicasAdmitTwentyCallsASecondPerCallerBetweenThem() throws Exception {
    BucketConfiguration bucket = perInterval(20, Duration.ofSeconds(1));
    // 100 calls at once on one key make Bucket4j's compare-and-swap retry: a generous timeout keeps
    // every decision the store's (none fails open), so the count is exact.
    AsyncLimitOptions options =
        AsyncLimitOptions.builder()
            .timeout(Duration.ofSeconds(2))
            .description("20 calls per second per caller")
            .build();
    RejectionListener counted = LimitMetrics.rejectionCounter(registry);
    try (Replica a = Replica.start(redis, true, "two-replicas:", bucket, options, counted, null);
        Replica b = Replica.start(redis, true, "two-replicas:", bucket, options, counted, null)) {
      // Warm both connections up (as Bob, whose bucket is his own) so that Alice's 100 calls fit in
      // one interval of her bucket.
      a.blocking("bob-token").unaryRpc(request("warm"));
      b.blocking("bob-token").unaryRpc(request("warm"));
      int warm = a.handled.get() + b.handled.get();

      List<Responses> calls = new ArrayList<>();
      long start = System.nanoTime();
      for (int i = 0; i < 100; i++) {
        Responses call = new Responses();
        (i % 2 == 0 ? a : b).stub("alice-token").unaryRpc(request("hello"), call);
        calls.add(call);
      }
      List<StatusRuntimeException> rejected = new ArrayList<>();
      for (Responses call : calls) {
        if (!call.await().isOk()) {
          rejected.add(Objects.requireNonNull(call.failure()));
        }
      }
      long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      int admitted = 100 - rejected.size();
      System.out.printf(
          "two replicas, 100 calls as alice in %d ms: %d admitted (replica a handled %d, b %d)%n",
          elapsedMillis, admitted, a.handled.get() - 1, b.handled.get() - 1);

      assertThat(elapsedMillis)
          .as("the 100 calls fit in one interval of the bucket (else it refilled once more)")
          .isLessThan(1_000);
      assertThat(admitted).isEqualTo(20);
      assertThat(a.handled.get() + b.handled.get() - warm).isEqualTo(20);
      assertThat(registry.find(LimitMetrics.FAILED_OPEN).counters()).isEmpty();
      for (StatusRuntimeException e : rejected) {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(e.getStatus().getDescription())
            .isEqualTo("Too many requests. Please retry later.");
        RetryInfo retry = detail(e, RetryInfo.class);
        long retryNanos =
            TimeUnit.SECONDS.toNanos(retry.getRetryDelay().getSeconds())
                + retry.getRetryDelay().getNanos();
        assertThat(retryNanos).isPositive().isLessThanOrEqualTo(TimeUnit.SECONDS.toNanos(1));
        String pushback = Objects.requireNonNull(e.getTrailers()).get(PUSHBACK);
        assertThat(pushback)
            .isEqualTo(Long.toString((retryNanos + 999_999) / 1_000_000))
            .matches("[0-9]+");
        QuotaFailure.Violation violation = detail(e, QuotaFailure.class).getViolations(0);
        assertThat(violation.getSubject()).isEqualTo("principal:alice");
        assertThat(violation.getDescription())
            .isEqualTo("per-caller: 20 calls per second per caller");
      }
      assertThat(
              registry
                  .get(LimitMetrics.REJECTED)
                  .tags("limit", Replica.LIMIT, "reason", "rate")
                  .counters()
                  .stream()
                  .mapToDouble(c -> c.count())
                  .sum())
          .isEqualTo(80.0);
    }
  }

  /**
   * grpc-java's own retry policy for RESOURCE_EXHAUSTED with a backoff of 10 ms: only the pushback
   * makes it wait until the shared bucket has a token again.
   */
  @Test
  void aClientRetryPolicyWaitsForThePushbackAndItsRetrySucceeds() throws Exception {
    RetryRecorder recorder = new RetryRecorder();
    BucketConfiguration bucket = perInterval(1, Duration.ofMillis(400));
    AsyncLimitOptions options = AsyncLimitOptions.defaults();
    try (Replica a = Replica.start(redis, true, "retry:", bucket, options, null, recorder)) {
      ManagedChannel retrying =
          Grpc.newChannelBuilderForAddress(
                  "127.0.0.1", a.port(), InsecureChannelCredentials.create())
              .defaultServiceConfig(
                  RetryRecorder.retryingServiceConfig("grpc.testing.SimpleService"))
              .enableRetry()
              .build();
      try {
        SimpleServiceGrpc.SimpleServiceBlockingStub stub =
            SimpleServiceGrpc.newBlockingStub(retrying)
                .withInterceptors(
                    MetadataUtils.newAttachHeadersInterceptor(Replica.bearer("alice-token")))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
        assertThat(stub.unaryRpc(request("first")).getResponseMessage()).isEqualTo("first");
        long start = System.nanoTime();
        assertThat(stub.unaryRpc(request("second")).getResponseMessage()).isEqualTo("second");
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        long pushback = recorder.assertRetriedAfterPushback("shared limit", tookMillis);
        assertThat(pushback).isLessThanOrEqualTo(400);
        assertThat(a.handled).hasValue(2);
      } finally {
        retrying.shutdownNow();
        retrying.awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
