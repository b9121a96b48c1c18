package io.github.grpcmiddleware.bucket4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.QuotaFailure;
import com.google.rpc.RetryInfo;
import io.github.bucket4j.BucketConfiguration;
import io.github.grpcmiddleware.limits.AsyncLimitOptions;
import io.github.grpcmiddleware.limits.LimitMetrics;
import io.github.grpcmiddleware.redistest.RedisServer;
import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
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

  /** One unary call's outcome: null when OK, else the exception. */
  private static CompletableFuture<@Nullable StatusRuntimeException> call(
      SimpleServiceGrpc.SimpleServiceStub stub) {
    CompletableFuture<@Nullable StatusRuntimeException> done = new CompletableFuture<>();
    stub.unaryRpc(
        request("hello"),
        new StreamObserver<SimpleResponse>() {
          @Override
          public void onNext(SimpleResponse value) {}

          @Override
          public void onError(Throwable t) {
            done.complete(
                t instanceof StatusRuntimeException
                    ? (StatusRuntimeException) t
                    : Status.fromThrowable(t).asRuntimeException());
          }

          @Override
          public void onCompleted() {
            done.complete(null);
          }
        });
    return done;
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
    try (Replica a =
            Replica.start(
                redis,
                true,
                "two-replicas:",
                bucket,
                options,
                LimitMetrics.rejectionCounter(registry),
                null);
        Replica b =
            Replica.start(
                redis,
                true,
                "two-replicas:",
                bucket,
                options,
                LimitMetrics.rejectionCounter(registry),
                null)) {
      // Warm both connections up (as Bob, whose bucket is his own) so that Alice's 100 calls fit in
      // one interval of her bucket.
      a.blocking("bob-token").unaryRpc(request("warm"));
      b.blocking("bob-token").unaryRpc(request("warm"));
      int warm = a.handled.get() + b.handled.get();

      List<CompletableFuture<@Nullable StatusRuntimeException>> calls = new ArrayList<>();
      long start = System.nanoTime();
      for (int i = 0; i < 100; i++) {
        calls.add(call((i % 2 == 0 ? a : b).stub("alice-token")));
      }
      List<StatusRuntimeException> rejected = new ArrayList<>();
      for (CompletableFuture<@Nullable StatusRuntimeException> call : calls) {
        StatusRuntimeException e = call.get(30, TimeUnit.SECONDS);
        if (e != null) {
          rejected.add(e);
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
    List<Long> arrivals = new CopyOnWriteArrayList<>();
    List<String> pushbacks = new CopyOnWriteArrayList<>();
    ServerInterceptor recorder =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
              ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
            arrivals.add(System.nanoTime());
            return next.startCall(
                new ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT>(call) {
                  @Override
                  public void close(Status status, Metadata trailers) {
                    String value = trailers.get(PUSHBACK);
                    if (value != null) {
                      pushbacks.add(value);
                    }
                    super.close(status, trailers);
                  }
                },
                headers);
          }
        };
    BucketConfiguration bucket = perInterval(1, Duration.ofMillis(400));
    AsyncLimitOptions options = AsyncLimitOptions.defaults();
    try (Replica a = Replica.start(redis, true, "retry:", bucket, options, null, recorder)) {
      Map<String, Object> retryPolicy =
          Map.of(
              "maxAttempts",
              3.0,
              "initialBackoff",
              "0.01s",
              "maxBackoff",
              "0.01s",
              "backoffMultiplier",
              1.0,
              "retryableStatusCodes",
              List.of("RESOURCE_EXHAUSTED"));
      ManagedChannel retrying =
          Grpc.newChannelBuilderForAddress(
                  "127.0.0.1", a.server.getPort(), InsecureChannelCredentials.create())
              .defaultServiceConfig(
                  Map.of(
                      "methodConfig",
                      List.of(
                          Map.of(
                              "name",
                              List.of(Map.of("service", "grpc.testing.SimpleService")),
                              "retryPolicy",
                              retryPolicy))))
              .enableRetry()
              .build();
      try {
        Metadata headers = new Metadata();
        headers.put(
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
            "Bearer alice-token");
        SimpleServiceGrpc.SimpleServiceBlockingStub stub =
            SimpleServiceGrpc.newBlockingStub(retrying)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
        assertThat(stub.unaryRpc(request("first")).getResponseMessage()).isEqualTo("first");
        long start = System.nanoTime();
        assertThat(stub.unaryRpc(request("second")).getResponseMessage()).isEqualTo("second");
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(pushbacks).hasSize(1);
        long pushback = Long.parseLong(pushbacks.get(0));
        assertThat(pushback).isPositive().isLessThanOrEqualTo(400);
        assertThat(arrivals).as("first call, rejected attempt, retry").hasSize(3);
        long gapMillis = TimeUnit.NANOSECONDS.toMillis(arrivals.get(2) - arrivals.get(1));
        System.out.printf(
            "shared limit: pushback %d ms; the retry arrived %d ms after the rejected attempt;"
                + " the call took %d ms%n",
            pushback, gapMillis, tookMillis);
        assertThat(gapMillis).isGreaterThanOrEqualTo(pushback);
        assertThat(tookMillis).isGreaterThanOrEqualTo(pushback).isLessThan(pushback + 5_000);
        assertThat(a.handled).hasValue(2);
      } finally {
        retrying.shutdownNow();
        retrying.awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
