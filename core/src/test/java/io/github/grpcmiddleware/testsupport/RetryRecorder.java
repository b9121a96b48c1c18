package io.github.grpcmiddleware.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Sees every attempt of a call as it reaches the server (outside the chain): when it arrived and
 * the {@code grpc-retry-pushback-ms} trailer it was answered with; and the service config of a
 * grpc-java client that retries {@code RESOURCE_EXHAUSTED} with a backoff of only 10 ms, so that
 * only the pushback can make it wait.
 */
public final class RetryRecorder implements ServerInterceptor {
  public static final Metadata.Key<String> PUSHBACK =
      Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

  /** {@code System.nanoTime()} of each attempt's arrival. */
  public final List<Long> arrivals = new CopyOnWriteArrayList<>();

  /** The pushback of each attempt that had one. */
  public final List<String> pushbacks = new CopyOnWriteArrayList<>();

  /** The default service config: up to 3 attempts of {@code service}'s methods, 10 ms backoff. */
  public static Map<String, Object> retryingServiceConfig(String service) {
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
    return Map.of(
        "methodConfig",
        List.of(Map.of("name", List.of(Map.of("service", service)), "retryPolicy", retryPolicy)));
  }

  /**
   * Checks that a call of {@code callMillis} was rejected once with a pushback and retried no
   * sooner than the pushback said, and prints what was measured.
   *
   * @return the pushback in ms
   */
  public long assertRetriedAfterPushback(String what, long callMillis) {
    assertThat(pushbacks).as("one rejected attempt with a pushback").hasSize(1);
    long pushback = Long.parseLong(pushbacks.get(0));
    assertThat(pushback).isPositive();
    assertThat(arrivals).as("first call, rejected attempt, retry").hasSize(3);
    long gapMillis = TimeUnit.NANOSECONDS.toMillis(arrivals.get(2) - arrivals.get(1));
    System.out.printf(
        "%s: pushback %d ms; the retry arrived %d ms after the rejected attempt; the call took %d"
            + " ms%n",
        what, pushback, gapMillis, callMillis);
    assertThat(gapMillis).isGreaterThanOrEqualTo(pushback);
    assertThat(callMillis).isGreaterThanOrEqualTo(pushback).isLessThan(pushback + 5_000);
    return pushback;
  }

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
}
