package io.github.grpcmiddleware.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testsupport.Rpcs;
import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The opt-in retry after {@code UNAUTHENTICATED}: the server accepts only tokens numbered at least
 * {@code minAccepted}; the token source hands out {@code tok-1}, {@code tok-2}, ... so raising
 * {@code minAccepted} makes the cached token stale, as when a server rotates its keys.
 */
class AuthRetryTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final AtomicInteger callsReceived = new AtomicInteger();
  static final AtomicInteger minAccepted = new AtomicInteger(1);
  static final SimpleRequest REQUEST = SimpleRequest.newBuilder().setRequestMessage("hi").build();

  static final ServerInterceptor COUNTING =
      new ServerInterceptor() {
        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
          callsReceived.incrementAndGet();
          return next.startCall(call, headers);
        }
      };

  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new RecordingService())
          .interceptor(
              COUNTING,
              Auth.serverBuilder()
                  .authenticator(
                      Authenticators.bearer(
                          token -> {
                            if (!token.startsWith("tok-")
                                || Integer.parseInt(token.substring(4)) < minAccepted.get()) {
                              awaitRejectionGate();
                              throw AuthenticationException.invalid();
                            }
                            return new NamedPrincipal(token);
                          }))
                  .build(),
              ListenerEvents.HEADERS_THEN_UNAUTHENTICATED)
          .executorThreads(64)
          .build();

  /** When set, holds every rejection until that many calls are being rejected at once. */
  static volatile @Nullable CountDownLatch rejectionGate;

  static void awaitRejectionGate() {
    CountDownLatch gate = rejectionGate;
    if (gate != null) {
      gate.countDown();
      try {
        gate.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  final MutableClock clock = new MutableClock(T0);
  final AtomicInteger fetches = new AtomicInteger();
  final ExecutorService pool = Executors.newFixedThreadPool(50);
  Channel channel;

  @BeforeEach
  void reset() {
    callsReceived.set(0);
    minAccepted.set(1);
    channel = grpc.channel(Auth.newClientInterceptor());
  }

  @AfterEach
  void stop() {
    rejectionGate = null;
    pool.shutdownNow();
  }

  @ParameterizedTest
  @EnumSource(
      value = Rpcs.class,
      names = {"UNARY", "SERVER_STREAMING"})
  void staleTokenIsRefreshedOnceAndTheCallRetriedOnce(Rpcs kind) throws Exception {
    CallCredentials credentials = countingCredentials();
    makeCachedTokenStale(credentials);

    ListenerEvents events = call(kind, retryable(credentials), new Metadata());

    String expected = "message tok-2";
    List<String> messages = kind == Rpcs.UNARY ? List.of(expected) : List.of(expected, expected);
    List<String> expectedEvents = new ArrayList<>();
    expectedEvents.add("headers");
    expectedEvents.addAll(messages);
    expectedEvents.add("close OK");
    assertThat(events.await()).containsExactlyElementsOf(expectedEvents);
    assertThat(fetches).hasValue(2);
    assertThat(callsReceived).hasValue(2);
  }

  @Test
  void callNotMarkedRetryableIsNotRetried() throws Exception {
    CallCredentials credentials = countingCredentials();
    makeCachedTokenStale(credentials);

    ListenerEvents events = call(Rpcs.UNARY, options(credentials), new Metadata());

    assertThat(events.await()).containsExactly("close UNAUTHENTICATED");
    assertThat(fetches).hasValue(1);
    assertThat(callsReceived).hasValue(1);
  }

  @ParameterizedTest
  @EnumSource(
      value = Rpcs.class,
      names = {"CLIENT_STREAMING", "BIDI_STREAMING"})
  void streamingRequestsAreNeverRetried(Rpcs kind) throws Exception {
    CallCredentials credentials = countingCredentials();
    makeCachedTokenStale(credentials);

    Rpcs.Outcome outcome =
        Rpcs.call(
            SimpleServiceGrpc.newStub(channel)
                .withCallCredentials(credentials)
                .withOption(Auth.RETRY_ON_UNAUTHENTICATED, true)
                .withDeadlineAfter(10, TimeUnit.SECONDS),
            kind);

    assertThat(outcome.code()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(fetches).hasValue(1);
    assertThat(callsReceived).hasValue(1);
  }

  @Test
  void secondUnauthenticatedIsReturnedToTheCaller() throws Exception {
    CallCredentials credentials = countingCredentials();
    makeCachedTokenStale(credentials);
    minAccepted.set(1000); // the refreshed token is rejected too

    ListenerEvents events = call(Rpcs.UNARY, retryable(credentials), new Metadata());

    assertThat(events.await()).containsExactly("close UNAUTHENTICATED");
    assertThat(events.status.getDescription()).doesNotContain("tok-");
    assertThat(fetches).hasValue(2);
    assertThat(callsReceived).hasValue(2);
  }

  @ParameterizedTest
  @EnumSource(
      value = Rpcs.class,
      names = {"UNARY", "SERVER_STREAMING"})
  void failureAfterResponseHeadersIsNotRetried(Rpcs kind) throws Exception {
    CallCredentials credentials = countingCredentials();
    makeCachedTokenStale(credentials);
    minAccepted.set(1);

    ListenerEvents events =
        call(kind, retryable(credentials), Rpcs.header("x-fail-after-headers", "1"));

    assertThat(events.await()).containsExactly("headers", "close UNAUTHENTICATED");
    assertThat(events.status.getDescription()).isEqualTo("revoked mid-call");
    assertThat(fetches).hasValue(1);
    assertThat(callsReceived).hasValue(1);
  }

  @Test
  void cancellingDuringTheRefreshEndsTheCallCancelled() throws Exception {
    CountDownLatch refreshing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CallCredentials credentials = blockingSecondFetch(refreshing, release);
    makeCachedTokenStale(credentials);
    try {
      ListenerEvents events = new ListenerEvents();
      ClientCall<SimpleRequest, SimpleResponse> call =
          start(
              SimpleServiceGrpc.getUnaryRpcMethod(),
              retryable(credentials),
              events,
              new Metadata());
      assertThat(refreshing.await(10, TimeUnit.SECONDS)).isTrue();

      call.cancel("the user gave up", null);

      assertThat(events.await()).containsExactly("close CANCELLED");
      assertThat(events.status.getDescription()).contains("the user gave up");
      assertThat(callsReceived).hasValue(1);
    } finally {
      release.countDown();
    }
  }

  @Test
  void theCallsDeadlineAppliesToTheRetry() throws Exception {
    CountDownLatch refreshing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CallCredentials credentials = blockingSecondFetch(refreshing, release);
    makeCachedTokenStale(credentials);
    try {
      CallOptions options = retryable(credentials).withDeadlineAfter(500, TimeUnit.MILLISECONDS);

      ListenerEvents events = call(Rpcs.UNARY, options, new Metadata());

      assertThat(events.await()).containsExactly("close DEADLINE_EXCEEDED");
      assertThat(refreshing.getCount()).isZero();
      assertThat(callsReceived).hasValue(1);
    } finally {
      release.countDown();
    }
  }

  @Test
  void manyConcurrentRetriesCauseOneRefresh() throws Exception {
    CallCredentials credentials = countingCredentials();
    makeCachedTokenStale(credentials);
    rejectionGate = new CountDownLatch(50); // all 50 have sent tok-1 before any is rejected
    SimpleServiceGrpc.SimpleServiceBlockingStub stub =
        SimpleServiceGrpc.newBlockingStub(channel)
            .withCallCredentials(credentials)
            .withOption(Auth.RETRY_ON_UNAUTHENTICATED, true);

    CountDownLatch go = new CountDownLatch(1);
    List<Future<Rpcs.Outcome>> calls = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      calls.add(
          pool.submit(
              () -> {
                go.await();
                return Rpcs.unary(stub.withDeadlineAfter(10, TimeUnit.SECONDS));
              }));
    }
    go.countDown();
    for (Future<Rpcs.Outcome> call : calls) {
      assertThat(call.get(30, TimeUnit.SECONDS).responses()).containsExactly("tok-2");
    }
    assertThat(rejectionGate.getCount()).isZero();
    assertThat(fetches).hasValue(2);
    assertThat(callsReceived).hasValue(100);
  }

  @Test
  void justFetchedTokenIsNotForcedOut() throws Exception {
    CallCredentials credentials = countingCredentials();
    makeCachedTokenStale(credentials);
    clock.advance(Duration.ofSeconds(-10)); // tok-1 is back to being 0 s old

    ListenerEvents events = call(Rpcs.UNARY, retryable(credentials), new Metadata());

    assertThat(events.await()).containsExactly("close UNAUTHENTICATED");
    assertThat(fetches).hasValue(1);
    assertThat(callsReceived).hasValue(1);
  }

  @Test
  void fixedTokenIsNotRetried() throws Exception {
    minAccepted.set(2);

    ListenerEvents events =
        call(
            Rpcs.UNARY,
            retryable(Auth.clientBuilder().bearerToken("tok-1").build()),
            new Metadata());

    assertThat(events.await()).containsExactly("close UNAUTHENTICATED");
    assertThat(callsReceived).hasValue(1);
  }

  @Test
  void failureOfTheTokenSourceIsNotRetried() throws Exception {
    CallCredentials credentials =
        credentials(
            () -> {
              fetches.incrementAndGet();
              throw new IOException("token endpoint down");
            });

    ListenerEvents events = call(Rpcs.UNARY, retryable(credentials), new Metadata());

    assertThat(events.await()).containsExactly("close UNAUTHENTICATED");
    assertThat(fetches).hasValue(1);
    assertThat(callsReceived).hasValue(0);
  }

  @Test
  void readmeExample() throws Exception {
    ManagedChannel channel = grpc.channel();
    CallCredentials credentials = countingCredentials();
    makeCachedTokenStale(credentials);
    // [START auth_retry]
    // Replays a call once with a new token when the server rejects the cached one, but only
    // calls marked retryable: mark idempotent ones only, the server may already have acted.
    Channel retrying = ClientInterceptors.intercept(channel, Auth.newClientInterceptor());
    SimpleServiceGrpc.SimpleServiceBlockingStub reads =
        SimpleServiceGrpc.newBlockingStub(retrying)
            .withCallCredentials(credentials)
            .withOption(Auth.RETRY_ON_UNAUTHENTICATED, true);
    // [END auth_retry]

    Rpcs.Outcome outcome = Rpcs.unary(reads.withDeadlineAfter(10, TimeUnit.SECONDS));

    assertThat(outcome.responses()).containsExactly("tok-2");
    assertThat(fetches).hasValue(2);
  }

  private CallCredentials countingCredentials() {
    return credentials(
        () ->
            AccessToken.of("tok-" + fetches.incrementAndGet(), clock.instant().plusSeconds(3600)));
  }

  private CallCredentials blockingSecondFetch(CountDownLatch refreshing, CountDownLatch release) {
    return credentials(
        () -> {
          int n = fetches.incrementAndGet();
          if (n == 2) {
            refreshing.countDown();
            release.await();
          }
          return AccessToken.of("tok-" + n, clock.instant().plusSeconds(3600));
        });
  }

  private CallCredentials credentials(TokenSource source) {
    return Auth.clientBuilder().bearerToken(source).clock(clock).build();
  }

  /** Caches tok-1 with a successful call, then has the server reject it 10 s later. */
  private void makeCachedTokenStale(CallCredentials credentials) throws Exception {
    assertThat(call(Rpcs.UNARY, options(credentials), new Metadata()).await())
        .containsExactly("headers", "message tok-1", "close OK");
    clock.advance(Duration.ofSeconds(10));
    minAccepted.set(2);
    callsReceived.set(0);
  }

  private static CallOptions options(CallCredentials credentials) {
    return CallOptions.DEFAULT
        .withCallCredentials(credentials)
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static CallOptions retryable(CallCredentials credentials) {
    return options(credentials).withOption(Auth.RETRY_ON_UNAUTHENTICATED, true);
  }

  private ListenerEvents call(Rpcs kind, CallOptions options, Metadata headers) {
    MethodDescriptor<SimpleRequest, SimpleResponse> method =
        kind == Rpcs.UNARY
            ? SimpleServiceGrpc.getUnaryRpcMethod()
            : SimpleServiceGrpc.getServerStreamingRpcMethod();
    ListenerEvents events = new ListenerEvents();
    start(method, options, events, headers);
    return events;
  }

  /** Drives a real call the way the stubs do, with requests split in two. */
  private ClientCall<SimpleRequest, SimpleResponse> start(
      MethodDescriptor<SimpleRequest, SimpleResponse> method,
      CallOptions options,
      ListenerEvents events,
      Metadata headers) {
    ClientCall<SimpleRequest, SimpleResponse> call = channel.newCall(method, options);
    call.start(events, headers);
    call.request(1);
    call.sendMessage(REQUEST);
    call.halfClose();
    call.request(4);
    return call;
  }
}
