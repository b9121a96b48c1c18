package io.github.grpcmiddleware.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testsupport.Rpcs;
import io.grpc.CallCredentials;
import io.grpc.Status;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * When a cached token is fetched again: {@code refreshAhead} before it expires but never before
 * half its life, fetches at least {@code minFetchInterval} apart. A counting token source, a clock
 * the test moves by hand, and an executor that tells when the fetches it was given have finished
 * (so a refresh that started is counted before the next call).
 */
class TokenRefreshScheduleTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new RecordingService())
          .interceptor(RecordingService.acceptingTokTokens())
          .build();

  final MutableClock clock = new MutableClock(T0);
  final AtomicInteger fetches = new AtomicInteger();
  final Fetches executor = new Fetches();

  /** One row of the table in docs/auth.md. */
  record Row(Duration life, Duration refreshedAfter, String docsRow) {}

  static Stream<Row> table() {
    return Stream.of(
        new Row(Duration.ofSeconds(10), Duration.ofSeconds(5), "| 10 s | 5 s | 5 s |"),
        new Row(Duration.ofSeconds(30), Duration.ofSeconds(15), "| 30 s | 15 s | 15 s |"),
        new Row(Duration.ofMinutes(5), Duration.ofMinutes(4), "| 5 min | 4 min | 60 s |"),
        new Row(Duration.ofHours(1), Duration.ofMinutes(59), "| 1 h | 59 min | 60 s |"));
  }

  @AfterEach
  void stop() {
    executor.pool.shutdownNow();
  }

  @Test
  void twentyCallsWithinOneThirtySecondTokensLifeFetchItOnce() throws Exception {
    CallCredentials credentials = credentials(Duration.ofSeconds(30)).build(); // refreshAhead 60 s

    for (int i = 0; i < 20; i++) {
      call(credentials);
      executor.awaitIdle();
    }

    assertThat(fetches).as("fetches for 20 calls, the clock standing still").hasValue(1);
  }

  @Test
  void twentyCallsOneASecondWithinAThirtySecondTokensLifeFetchItTwice() throws Exception {
    CallCredentials credentials = credentials(Duration.ofSeconds(30)).build();

    for (int i = 0; i < 20; i++) {
      call(credentials);
      executor.awaitIdle();
      clock.advance(Duration.ofSeconds(1));
    }

    assertThat(fetches).as("fetches for 20 calls over 19 s: at 0 s and at 15 s").hasValue(2);
  }

  @ParameterizedTest(name = "a token that lives {0} is refreshed {1} after it was fetched")
  @MethodSource("table")
  void eachLifetimeIsRefreshedWhenDocsAuthMdSays(Row row) throws Exception {
    CallCredentials credentials = credentials(row.life()).build();
    assertThat(call(credentials)).isEqualTo("tok-1");

    clock.advance(row.refreshedAfter().minusMillis(1));
    assertThat(call(credentials)).isEqualTo("tok-1");
    executor.awaitIdle();
    assertThat(fetches).as("fetches 1 ms before the refresh is due").hasValue(1);

    clock.advance(Duration.ofMillis(1));
    assertThat(call(credentials)).as("the call that starts the refresh").isEqualTo("tok-1");
    executor.awaitIdle();
    assertThat(fetches).hasValue(2);
    assertThat(call(credentials)).isEqualTo("tok-2");
  }

  @Test
  void docsAuthMdShowsTheTableTheTestsCheck() throws IOException {
    String page = Files.readString(Path.of("..", "docs", "auth.md"), StandardCharsets.UTF_8);

    assertThat(page).contains(table().map(Row::docsRow).toList());
  }

  @Test
  void aFailingRefreshIsTriedAgainOnlyAfterTheMinimumInterval() throws Exception {
    CallCredentials credentials =
        Auth.clientBuilder()
            .bearerToken(
                () -> {
                  int n = fetches.incrementAndGet();
                  if (n == 2) {
                    throw new IOException("token endpoint said 503");
                  }
                  return AccessToken.of("tok-" + n, clock.instant().plus(Duration.ofHours(1)));
                })
            .executor(executor)
            .clock(clock)
            .build();
    assertThat(call(credentials)).isEqualTo("tok-1");

    clock.advance(Duration.ofMinutes(59)); // the refresh is due; it fails
    for (int i = 0; i < 5; i++) {
      assertThat(call(credentials)).as("the cached token is still valid").isEqualTo("tok-1");
      executor.awaitIdle();
    }
    assertThat(fetches).as("one failed refresh, not one per call").hasValue(2);

    clock.advance(Duration.ofMillis(999));
    assertThat(call(credentials)).isEqualTo("tok-1");
    executor.awaitIdle();
    assertThat(fetches).hasValue(2);

    clock.advance(Duration.ofMillis(1)); // 1 s (the default interval) after the failure
    assertThat(call(credentials)).isEqualTo("tok-1");
    executor.awaitIdle();
    assertThat(fetches).hasValue(3);
    assertThat(call(credentials)).isEqualTo("tok-3");
  }

  @Test
  void aCallWithoutATokenWaitsForTheMinimumIntervalBeforeTheNextFetch() throws Exception {
    CallCredentials credentials =
        Auth.clientBuilder()
            .bearerToken(failsOnceThenAnswers())
            .executor(executor)
            .clock(clock)
            .build();
    Rpcs.Outcome first = Rpcs.unary(stub(credentials).withDeadlineAfter(10, TimeUnit.SECONDS));
    assertThat(first.code()).isEqualTo(Status.Code.UNAUTHENTICATED);

    // The clock stands still: the next fetch waits 1 s (the default), longer than this deadline.
    Rpcs.Outcome second =
        Rpcs.unary(stub(credentials).withDeadlineAfter(300, TimeUnit.MILLISECONDS));
    assertThat(second.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(fetches).hasValue(1);

    Rpcs.Outcome third = Rpcs.unary(stub(credentials).withDeadlineAfter(10, TimeUnit.SECONDS));
    assertThat(third.responses()).containsExactly("tok-2");
    assertThat(fetches).hasValue(2);
  }

  @Test
  void aZeroMinimumIntervalFetchesAgainAtOnce() throws Exception {
    CallCredentials credentials =
        Auth.clientBuilder()
            .bearerToken(failsOnceThenAnswers())
            .minFetchInterval(Duration.ZERO)
            .executor(executor)
            .clock(clock)
            .build();
    assertThat(Rpcs.unary(stub(credentials)).code()).isEqualTo(Status.Code.UNAUTHENTICATED);

    Rpcs.Outcome second =
        Rpcs.unary(stub(credentials).withDeadlineAfter(300, TimeUnit.MILLISECONDS));

    assertThat(second.responses()).containsExactly("tok-2");
  }

  @Test
  void theRefreshInstantNeverOverflows() {
    long max = Long.MAX_VALUE;
    long min = Long.MIN_VALUE;
    assertThat(TokenCallCredentials.refreshAt(0, max, 60_000)).isEqualTo(max); // never expires
    assertThat(TokenCallCredentials.refreshAt(0, max - 1, 60_000)).isEqualTo(max - 1 - 60_000);
    assertThat(TokenCallCredentials.refreshAt(min, max - 1, max)).isEqualTo(-1);
    assertThat(TokenCallCredentials.refreshAt(min + 10, min + 20, max)).isEqualTo(min + 15);
    assertThat(TokenCallCredentials.refreshAt(0, 30_000, 0)).isEqualTo(30_000);
  }

  /** A source whose first fetch fails; later ones answer {@code tok-2}, which never expires. */
  private TokenSource failsOnceThenAnswers() {
    return () -> {
      if (fetches.incrementAndGet() == 1) {
        throw new IOException("token endpoint said 503");
      }
      return AccessToken.of("tok-2", null);
    };
  }

  private AuthClientBuilder credentials(Duration life) {
    return Auth.clientBuilder()
        .bearerToken(
            () -> {
              int n = fetches.incrementAndGet();
              return AccessToken.of("tok-" + n, clock.instant().plus(life));
            })
        .executor(executor)
        .clock(clock);
  }

  private String call(CallCredentials credentials) {
    Rpcs.Outcome outcome = Rpcs.unary(stub(credentials));
    assertThat(outcome.code()).as("the call's status").isEqualTo(Status.Code.OK);
    return outcome.responses().get(0);
  }

  private static SimpleServiceGrpc.SimpleServiceBlockingStub stub(CallCredentials credentials) {
    return SimpleServiceGrpc.newBlockingStub(grpc.channel())
        .withCallCredentials(credentials)
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** Runs fetches on one thread; {@link #awaitIdle} waits until every one given so far is done. */
  static final class Fetches implements Executor {
    final ExecutorService pool = Executors.newSingleThreadExecutor();
    private final AtomicInteger pending = new AtomicInteger();

    @Override
    public void execute(Runnable fetch) {
      pending.incrementAndGet();
      pool.execute(
          () -> {
            try {
              fetch.run();
            } finally {
              pending.decrementAndGet();
            }
          });
    }

    void awaitIdle() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (pending.get() > 0) {
        assertThat(System.nanoTime()).as("the fetches ended within 10 s").isLessThan(deadline);
        Thread.sleep(5);
      }
    }
  }
}
