package io.github.grpcmiddleware.limits;

import static io.github.grpcmiddleware.limits.Harness.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.ErrorInfo;
import com.google.rpc.QuotaFailure;
import com.google.rpc.RetryInfo;
import io.github.grpcmiddleware.auth.Auth;
import io.github.grpcmiddleware.auth.Authenticators;
import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.logging.AccessLog;
import io.github.grpcmiddleware.metrics.LimitMetrics;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.grpc.Metadata;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RateLimitTest {
  private static final Duration LOG_TIMEOUT = Duration.ofSeconds(5);

  @RegisterExtension
  final LogCapture log = LogCapture.forLogger(AccessLog.SERVER_LOGGER_NAME).atLevel("INFO");

  private static final MethodSelector ALL = MethodSelector.of("*");
  private final AtomicLong clock = new AtomicLong(42);

  private static long nanos(RetryInfo retry) {
    return TimeUnit.SECONDS.toNanos(retry.getRetryDelay().getSeconds())
        + retry.getRetryDelay().getNanos();
  }

  private static StatusRuntimeException rejected(SimpleServiceGrpc.SimpleServiceBlockingStub stub) {
    try {
      stub.unaryRpc(request("ok"));
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      return e;
    }
    throw new AssertionError("the call was not rejected");
  }

  private static Metadata bearer(String token) {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return headers;
  }

  @Test
  void bucketRefillsOnTheClockAndRetryInfoSaysWhen() throws Exception {
    ControlledService service = new ControlledService();
    ServerInterceptor limits =
        Limits.serverBuilder()
            .ticker(clock::get)
            .rateLimit("two-per-second", ALL, LimitKey.method(), 2, Duration.ofSeconds(1))
            .build();
    try (Harness h = Harness.inProcess(service, limits)) {
      SimpleServiceGrpc.SimpleServiceBlockingStub stub = h.blocking();
      assertThat(stub.unaryRpc(request("ok")).getResponseMessage()).isEqualTo("ok");
      assertThat(stub.unaryRpc(request("ok")).getResponseMessage()).isEqualTo("ok");

      StatusRuntimeException e = rejected(stub);
      assertThat(e.getStatus().getDescription())
          .isEqualTo("Too many requests. Please retry later.");
      assertThat(nanos(Details.detail(e, RetryInfo.class)))
          .isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
      QuotaFailure.Violation violation = Details.detail(e, QuotaFailure.class).getViolations(0);
      assertThat(violation.getSubject()).isEqualTo("grpc.testing.SimpleService/UnaryRpc");
      assertThat(violation.getDescription()).isEqualTo("two-per-second: 2 calls per PT1S");
      assertThat(Details.detail(e, ErrorInfo.class).getReason()).isEqualTo("RATE_LIMIT_EXCEEDED");
      assertThat(Details.types(e)).containsExactly("ErrorInfo", "RetryInfo", "QuotaFailure");

      clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(499));
      assertThat(nanos(Details.detail(rejected(stub), RetryInfo.class)))
          .isEqualTo(TimeUnit.MILLISECONDS.toNanos(1));

      clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
      assertThat(stub.unaryRpc(request("ok")).getResponseMessage()).isEqualTo("ok");
      assertThat(nanos(Details.detail(rejected(stub), RetryInfo.class)))
          .isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));

      // A long pause fills the bucket, but never beyond its size.
      clock.addAndGet(TimeUnit.HOURS.toNanos(1));
      assertThat(stub.unaryRpc(request("ok")).getResponseMessage()).isEqualTo("ok");
      assertThat(stub.unaryRpc(request("ok")).getResponseMessage()).isEqualTo("ok");
      rejected(stub);
      assertThat(service.handled).hasValue(5);
    }
  }

  @Test
  void inTheChainLimitsCountPerPrincipalAfterAuthAndAreRenderedByErrorMapping() throws Exception {
    ControlledService service = new ControlledService();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LimitsServerInterceptor limits =
        (LimitsServerInterceptor)
            Limits.serverBuilder()
                .ticker(clock::get)
                .rateLimit("per-caller", ALL, LimitKey.principal(), 1, Duration.ofMinutes(1))
                .rejectionListener(LimitMetrics.rejectionCounter(registry))
                .build();
    ServerInterceptor chain =
        ServerChain.builder()
            .limits(limits)
            .auth(
                Auth.serverBuilder()
                    .authenticator(
                        Authenticators.bearerTokens(Map.of("a-token", "alice", "b-token", "bob")))
                    .build())
            .observability(AccessLog.serverBuilder().build())
            .errorMapping(ErrorMapping.serverBuilder().build())
            .build();
    try (Harness h = Harness.inProcess(service, chain)) {
      SimpleServiceGrpc.SimpleServiceBlockingStub alice =
          h.blocking()
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer("a-token")));
      SimpleServiceGrpc.SimpleServiceBlockingStub bob =
          h.blocking()
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer("b-token")));

      assertThatThrownBy(() -> h.blocking().unaryRpc(request("ok")))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
      assertThat(alice.unaryRpc(request("ok")).getResponseMessage()).isEqualTo("ok");
      StatusRuntimeException e = rejected(alice);
      assertThat(bob.unaryRpc(request("ok")).getResponseMessage()).isEqualTo("ok");

      // Error mapping rendered the rejection: the same text and details, with content-language.
      assertThat(e.getStatus().getDescription())
          .isEqualTo("Too many requests. Please retry later.");
      assertThat(Details.types(e)).contains("ErrorInfo", "RetryInfo", "QuotaFailure");
      assertThat(nanos(Details.detail(e, RetryInfo.class))).isEqualTo(TimeUnit.MINUTES.toNanos(1));
      assertThat(Details.detail(e, QuotaFailure.class).getViolations(0).getSubject())
          .isEqualTo("principal:alice");
      assertThat(
              Objects.requireNonNull(e.getTrailers())
                  .get(Metadata.Key.of("content-language", Metadata.ASCII_STRING_MARSHALLER)))
          .isEqualTo("en");
      // The unauthenticated call never reached the limit: only alice and bob have buckets.
      assertThat(Objects.requireNonNull(limits.rule("per-caller")).keys()).isEqualTo(2);
      assertThat(service.handled).hasValue(2);

      assertThat(
              registry
                  .get(LimitMetrics.REJECTED)
                  .tags(
                      "grpc.method",
                      "grpc.testing.SimpleService/UnaryRpc",
                      "limit",
                      "per-caller",
                      "reason",
                      "rate")
                  .counter()
                  .count())
          .isEqualTo(1.0);

      List<LoggedEvent> lines = log.awaitEvents(4, LOG_TIMEOUT);
      assertThat(lines)
          .map(LoggedEvent::message)
          .filteredOn(line -> line.contains("RESOURCE_EXHAUSTED"))
          .singleElement()
          .satisfies(
              line ->
                  assertThat(line)
                      .contains("principal=alice")
                      .contains("error=" + LimitExceededException.class.getName()));
    }
  }

  @Test
  void peerKeyIsTheAddressWithoutThePort() throws Exception {
    ServerInterceptor limits =
        Limits.serverBuilder()
            .ticker(clock::get)
            .rateLimit("per-peer", ALL, LimitKey.peer(), 1, Duration.ofMinutes(1))
            .build();
    try (Harness h = Harness.netty(new ControlledService(), limits)) {
      assertThat(h.blocking().unaryRpc(request("ok")).getResponseMessage()).isEqualTo("ok");
      // A second connection comes from another port, but from the same address.
      io.grpc.ManagedChannel other = Harness.nettyChannel(h.server);
      try {
        StatusRuntimeException e = rejected(SimpleServiceGrpc.newBlockingStub(other));
        assertThat(Details.detail(e, QuotaFailure.class).getViolations(0).getSubject())
            .isEqualTo("127.0.0.1");
      } finally {
        other.shutdownNow();
      }
    }
  }
}
