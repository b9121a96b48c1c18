package io.github.grpcmiddleware.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testsupport.Rpcs;
import io.grpc.CallCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class AuthClientTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final RecordingService service = new RecordingService();
  static final AtomicInteger callsReceived = new AtomicInteger();

  static final ServerInterceptor COUNTING =
      new ServerInterceptor() {
        @Override
        public <ReqT, RespT> io.grpc.ServerCall.Listener<ReqT> interceptCall(
            io.grpc.ServerCall<ReqT, RespT> call,
            io.grpc.Metadata headers,
            io.grpc.ServerCallHandler<ReqT, RespT> next) {
          callsReceived.incrementAndGet();
          return next.startCall(call, headers);
        }
      };

  /** Accepts any well-formed bearer token; the principal's name is the token. */
  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(service)
          .interceptor(COUNTING, RecordingService.acceptingTokTokens())
          .build();

  @RegisterExtension
  static final GrpcServerExtension apiKeyGrpc =
      GrpcServerExtension.builder()
          .service(new RecordingService())
          .interceptor(
              Auth.serverBuilder()
                  .authenticator(Authenticators.apiKeys("x-api-key", Map.of("key-1", "svc")))
                  .build())
          .build();

  final MutableClock clock = new MutableClock(T0);
  final ExecutorService pool = Executors.newFixedThreadPool(16);

  @BeforeEach
  void reset() {
    service.handlerCalls.set(0);
    callsReceived.set(0);
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void staticBearerTokenIsSent() {
    assertThat(unary(Auth.clientBuilder().bearerToken("tok-static").build()).responses())
        .containsExactly("tok-static");
  }

  @Test
  void apiKeysAreSentInTheirHeader() {
    CallCredentials fixed = Auth.clientBuilder().apiKey("x-api-key", "key-1").build();
    CallCredentials fromSource =
        Auth.clientBuilder().apiKey("x-api-key", () -> AccessToken.of("key-1", null)).build();
    CallCredentials wrong = Auth.clientBuilder().apiKey("x-api-key", "key-2").build();

    assertThat(unary(apiKeyGrpc, fixed).responses()).containsExactly("svc");
    assertThat(unary(apiKeyGrpc, fromSource).responses()).containsExactly("svc");
    assertThat(unary(apiKeyGrpc, wrong).code()).isEqualTo(Status.Code.UNAUTHENTICATED);
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void tokenSourceCredentialsWorkForEveryKindOfCall(Rpcs kind) throws Exception {
    CallCredentials credentials =
        Auth.clientBuilder()
            .bearerToken(() -> AccessToken.of("tok-1", T0.plusSeconds(600)))
            .clock(clock)
            .build();

    Rpcs.Outcome outcome = Rpcs.call(grpc.channel(), new io.grpc.Metadata(), kind, credentials);

    assertThat(outcome.code()).isEqualTo(Status.Code.OK);
    assertThat(outcome.responses()).isNotEmpty().containsOnly("tok-1");
  }

  @Test
  void tokenIsCachedAndRefreshedAheadOfExpiryOnTheExecutor() throws Exception {
    AtomicInteger fetches = new AtomicInteger();
    List<String> threads = new ArrayList<>();
    ExecutorService refresher =
        Executors.newSingleThreadExecutor(r -> new Thread(r, "token-refresher"));
    CallCredentials credentials =
        Auth.clientBuilder()
            .bearerToken(
                () -> {
                  synchronized (threads) {
                    threads.add(Thread.currentThread().getName());
                  }
                  int n = fetches.incrementAndGet();
                  return AccessToken.of("tok-" + n, clock.instant().plusSeconds(600));
                })
            .refreshAhead(Duration.ofSeconds(60))
            .executor(refresher)
            .clock(clock)
            .build();
    try {
      assertThat(unaryCall(credentials).responses()).containsExactly("tok-1");
      assertThat(unaryCall(credentials).responses()).containsExactly("tok-1");
      assertThat(fetches).hasValue(1);

      clock.advance(Duration.ofSeconds(550)); // inside the refresh window, not yet expired
      assertThat(unaryCall(credentials).responses()).containsExactly("tok-1");
      waitFor(() -> fetches.get() == 2);
      waitFor(() -> "tok-2".equals(unaryCall(credentials).responses().get(0)));
      assertThat(fetches).hasValue(2);
      assertThat(threads).containsOnly("token-refresher");
    } finally {
      refresher.shutdownNow();
    }
  }

  @Test
  void defaultExecutorIsNotTheCallingThread() {
    AtomicReference<Thread> fetchThread = new AtomicReference<>();
    CallCredentials credentials =
        Auth.clientBuilder()
            .bearerToken(
                () -> {
                  fetchThread.set(Thread.currentThread());
                  return AccessToken.of("tok-1", null);
                })
            .build();

    assertThat(unaryCall(credentials).code()).isEqualTo(Status.Code.OK);
    assertThat(fetchThread.get()).isNotNull().isNotSameAs(Thread.currentThread());
  }

  @Test
  void manyCallsDuringExpiryCauseExactlyOneRefresh() throws Exception {
    AtomicInteger fetches = new AtomicInteger();
    CallCredentials credentials =
        Auth.clientBuilder()
            .bearerToken(
                () -> {
                  int n = fetches.incrementAndGet();
                  Thread.sleep(200); // let the other calls pile up behind this fetch
                  return AccessToken.of("tok-" + n, clock.instant().plusSeconds(3600));
                })
            .clock(clock)
            .build();
    assertThat(unaryCall(credentials).responses()).containsExactly("tok-1");
    clock.advance(Duration.ofHours(2)); // tok-1 has expired

    CountDownLatch start = new CountDownLatch(1);
    List<Future<Rpcs.Outcome>> calls = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      calls.add(
          pool.submit(
              () -> {
                start.await();
                return unaryCall(credentials);
              }));
    }
    start.countDown();
    for (Future<Rpcs.Outcome> call : calls) {
      Rpcs.Outcome outcome = call.get(30, TimeUnit.SECONDS);
      assertThat(outcome.code()).isEqualTo(Status.Code.OK);
      assertThat(outcome.responses()).containsExactly("tok-2");
    }
    assertThat(fetches).hasValue(2);
  }

  @Test
  void slowSourceEndsTheCallAtItsDeadline() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CallCredentials credentials =
        Auth.clientBuilder()
            .bearerToken(
                () -> {
                  release.await();
                  return AccessToken.of("tok-late", null);
                })
            .build();
    try {
      long start = System.nanoTime();
      Rpcs.Outcome outcome =
          Rpcs.unary(stub(credentials).withDeadlineAfter(300, TimeUnit.MILLISECONDS));
      assertThat(outcome.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      assertThat(callsReceived).hasValue(0);
    } finally {
      release.countDown();
    }
    waitFor(() -> unaryCall(credentials).code() == Status.Code.OK);
  }

  @Test
  void sourceThatNeverAnswersTimesOutWithUnauthenticated() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    CallCredentials credentials =
        Auth.clientBuilder()
            .bearerToken(
                () -> {
                  never.await();
                  return AccessToken.of("tok-never", null);
                })
            .tokenTimeout(Duration.ofMillis(200))
            .build();
    try {
      Rpcs.Outcome outcome = Rpcs.unary(stub(credentials).withDeadlineAfter(30, TimeUnit.SECONDS));

      assertThat(outcome.code()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(outcome.status().getDescription())
          .isEqualTo(
              "Client credentials unavailable: the token source did not answer within 200 ms");
      assertThat(callsReceived).hasValue(0);
    } finally {
      never.countDown();
    }
  }

  @Test
  @SuppressWarnings("NullAway") // a source breaking its contract by returning null
  void failingAndThrowingSourcesEndTheCallWithUnauthenticatedAndTheNextCallRetries() {
    AtomicInteger fetches = new AtomicInteger();
    CallCredentials credentials =
        Auth.clientBuilder()
            .bearerToken(
                () ->
                    switch (fetches.incrementAndGet()) {
                      case 1 -> throw new IOException("token endpoint said 503");
                      case 2 -> throw new IllegalStateException("bug in the source");
                      case 3 -> null;
                      case 4 -> AccessToken.of("tok-old", T0.minusSeconds(1));
                      default -> AccessToken.of("tok-5", null);
                    })
            .clock(clock)
            .build();

    // Each call a second after the last failure: sooner, it would wait for minFetchInterval.
    Rpcs.Outcome first = unaryCall(credentials);
    clock.advance(Duration.ofSeconds(1));
    Rpcs.Outcome second = unaryCall(credentials);
    clock.advance(Duration.ofSeconds(1));
    Rpcs.Outcome third = unaryCall(credentials);
    clock.advance(Duration.ofSeconds(1));
    Rpcs.Outcome fourth = unaryCall(credentials);
    clock.advance(Duration.ofSeconds(1));

    assertThat(first.code()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(first.status().getDescription())
        .isEqualTo("Client credentials unavailable: the token source failed (java.io.IOException)");
    assertThat(second.status().getDescription())
        .isEqualTo(
            "Client credentials unavailable: the token source failed"
                + " (java.lang.IllegalStateException)");
    assertThat(third.status().getDescription())
        .isEqualTo("Client credentials unavailable: the token source returned no token");
    assertThat(fourth.status().getDescription())
        .isEqualTo("Client credentials unavailable: the token source returned an expired token");
    assertThat(callsReceived).hasValue(0);
    assertThat(unaryCall(credentials).responses()).containsExactly("tok-5");
  }

  @ParameterizedTest
  @ValueSource(strings = {"tok-a\r\nx-evil: 1", "tok-\u00e4", "tok a", "tok-\u0001", "", "tok-\t"})
  void tokensThatAreNotLegalHeaderValuesAreRefusedBeforeAnythingIsSent(String token) {
    CallCredentials credentials =
        Auth.clientBuilder().bearerToken(() -> AccessToken.of(token, null)).build();

    Rpcs.Outcome outcome = unaryCall(credentials);

    assertThat(outcome.code()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(outcome.status().getDescription())
        .isEqualTo(
            "Client credentials refused: the token source returned a token that is empty or has a"
                + " character that is not visible ASCII");
    assertThat(callsReceived).hasValue(0);
    assertThatThrownBy(() -> Auth.clientBuilder().bearerToken(token).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "token: empty or has a character that is not visible ASCII (expected: 0x21-0x7E only)");
  }

  @Test
  void builderValidatesItsSettings() {
    assertThatThrownBy(
            () ->
                Auth.clientBuilder().bearerToken("t").refreshAhead(Duration.ofSeconds(-1)).build())
        .hasMessage("refreshAhead: PT-1S (expected: >= 0)");
    assertThatThrownBy(
            () -> Auth.clientBuilder().bearerToken("t").tokenTimeout(Duration.ZERO).build())
        .hasMessage("tokenTimeout: PT0S (expected: > 0)");
    assertThatThrownBy(
            () ->
                Auth.clientBuilder()
                    .bearerToken("t")
                    .minFetchInterval(Duration.ofMillis(-1))
                    .build())
        .hasMessage("minFetchInterval: PT-0.001S (expected: >= 0)");
    assertThatThrownBy(() -> Auth.clientBuilder().apiKey("bad header", "k"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Auth.clientBuilder().apiKey("x-key-bin", "k"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private SimpleServiceGrpc.SimpleServiceBlockingStub stub(CallCredentials credentials) {
    return SimpleServiceGrpc.newBlockingStub(grpc.channel()).withCallCredentials(credentials);
  }

  private Rpcs.Outcome unaryCall(CallCredentials credentials) {
    return Rpcs.unary(stub(credentials).withDeadlineAfter(10, TimeUnit.SECONDS));
  }

  private Rpcs.Outcome unary(CallCredentials credentials) {
    return unary(grpc, credentials);
  }

  private Rpcs.Outcome unary(GrpcServerExtension server, CallCredentials credentials) {
    return Rpcs.unary(
        SimpleServiceGrpc.newBlockingStub(server.channel())
            .withCallCredentials(credentials)
            .withDeadlineAfter(10, TimeUnit.SECONDS));
  }

  static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(10);
    }
  }
}
