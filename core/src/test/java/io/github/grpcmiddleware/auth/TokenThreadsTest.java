package io.github.grpcmiddleware.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testsupport.ApplicationLoader;
import io.github.grpcmiddleware.testsupport.InheritedMdc;
import io.github.grpcmiddleware.testsupport.Rpcs;
import io.github.grpcmiddleware.testsupport.ThreadState;
import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

/**
 * The token threads ({@code grpc-middleware-token-fetch}, {@code grpc-middleware-token-timeout})
 * keep nothing of the application thread whose call started them (context class loader, MDC,
 * inheritable thread-locals, the class loaders on its stack), are daemons, and end when idle, so a
 * redeployed application in a servlet container is not pinned by them.
 */
class TokenThreadsTest {
  private static final String FETCH = "grpc-middleware-token-fetch";
  private static final String TIMEOUT = "grpc-middleware-token-timeout";
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final InheritableThreadLocal<String> APP_LOCAL = new InheritableThreadLocal<>();

  /**
   * A direct executor: a pool thread the server started during the application's call would keep
   * the application's loader itself (grpc-java's and the JDK's pools copy the context class
   * loader).
   */
  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .directExecutor()
          .service(new RecordingService())
          .interceptor(RecordingService.acceptingTokTokens())
          .build();

  @BeforeEach
  void connect() {
    // Credentials are applied on the calling thread only once the transport is ready; before, on
    // whichever grpc-java thread readies it. Connect first so the test's thread starts the fetch.
    Rpcs.unary(SimpleServiceGrpc.newBlockingStub(grpc.channel()));
  }

  @Test
  @SuppressWarnings("NullAway") // the call and the source have run when they are read
  void theFetchThreadKeepsNothingOfTheThreadWhoseCallStartedIt() throws Exception {
    AtomicReference<ThreadState> seen = new AtomicReference<>();
    CallCredentials credentials =
        Auth.clientBuilder()
            .bearerToken(
                () -> {
                  seen.set(ThreadState.ofCurrentThread(APP_LOCAL));
                  return AccessToken.of("tok-1", null);
                })
            .build();
    CountDownLatch release = new CountDownLatch(1);
    try (InheritedMdc mdc = InheritedMdc.install()) {
      occupyIdleFetchThreads(release); // so the call's fetch runs on a thread it starts
      AtomicReference<Rpcs.Outcome> outcome = new AtomicReference<>();
      Thread request =
          new Thread(
              () -> {
                MDC.put("traceId", TRACE_ID);
                APP_LOCAL.set("request-17");
                outcome.set(Rpcs.unary(stub(credentials)));
              });
      request.setContextClassLoader(new ApplicationLoader());
      request.start();
      request.join();

      assertThat(outcome.get().responses()).containsExactly("tok-1");
      SoftAssertions softly = new SoftAssertions();
      softly.assertThat(seen.get().name()).isEqualTo(FETCH);
      softly.assertThat(seen.get().daemon()).isTrue();
      softly.assertThat(seen.get().contextClassLoader()).as("context class loader").isNull();
      softly.assertThat(seen.get().mdc()).as("MDC the token source sees").isEmpty();
      softly.assertThat(seen.get().inherited()).as("inheritable thread-local").isNull();
      softly.assertAll();
    } finally {
      release.countDown();
    }
  }

  @Test
  void theTokenThreadsEndWhenIdle() throws Exception {
    assertThat(
            Rpcs.unary(
                    stub(
                        Auth.clientBuilder()
                            .bearerToken(() -> AccessToken.of("tok-1", null))
                            .build()))
                .code())
        .isEqualTo(Status.Code.OK);
    List<Thread> started = liveThreads(FETCH, TIMEOUT);
    assertThat(started).extracting(Thread::getName).contains(FETCH, TIMEOUT);

    awaitEnded(started);
  }

  @Test
  void theTokenThreadsDoNotKeepTheApplicationsClassLoader() throws Exception {
    awaitEnded(liveThreads(FETCH, TIMEOUT)); // so the application's call starts new ones
    Channel channel = grpc.channel();

    WeakReference<ClassLoader> appLoader = callFromApplicationCode(channel);
    List<Thread> started = liveThreads(FETCH, TIMEOUT);
    CountDownLatch release = new CountDownLatch(1);
    ScheduledFuture<?> keepsTheTimer = TokenTimeouts.schedule(() -> {}, 60_000);
    try {
      assertThat(started).extracting(Thread::getName).contains(FETCH, TIMEOUT);
      // Every fetch thread the application's call started stays busy (so alive) while the loader
      // is collected; a hold task may land on a new thread when one of them is not idle yet.
      assertThat(holdEach(started, release)).containsAll(withName(started, FETCH));

      assertThat(ApplicationLoader.awaitCollected(appLoader))
          .as("the application's class loader is collected while the token threads it started run")
          .isTrue();
      assertThat(started).allMatch(Thread::isAlive);
    } finally {
      release.countDown();
      keepsTheTimer.cancel(false);
    }
  }

  private static WeakReference<ClassLoader> callFromApplicationCode(Channel channel)
      throws InterruptedException {
    ApplicationLoader loader = new ApplicationLoader(CallsWithCredentials.class);
    @SuppressWarnings("unchecked")
    Function<Channel, String> app = loader.newInstance(CallsWithCredentials.class, Function.class);
    AtomicReference<String> principal = new AtomicReference<>();
    // As a servlet container does: the request thread's context class loader is the application's.
    Thread request = new Thread(() -> principal.set(app.apply(channel)));
    request.setContextClassLoader(loader);
    request.start();
    request.join();
    assertThat(principal.get()).isEqualTo("tok-app");
    return new WeakReference<>(loader);
  }

  /**
   * Gives every idle fetch thread a task that waits for {@code release}, until a task needs a new
   * thread: the next fetch then starts one of its own.
   */
  private static void occupyIdleFetchThreads(CountDownLatch release) throws Exception {
    Set<Thread> before = Set.copyOf(liveThreads(FETCH));
    for (int i = 0; i <= before.size(); i++) {
      if (!before.contains(holdAFetchThread(release).get(10, TimeUnit.SECONDS))) {
        return;
      }
    }
    throw new AssertionError("no idle fetch thread was left after " + before.size() + " tasks");
  }

  /**
   * Gives the fetch pool tasks that wait for {@code release} until every fetch thread of {@code
   * threads} runs one (at most 20 tasks); returns the threads that took one.
   */
  private static Set<Thread> holdEach(List<Thread> threads, CountDownLatch release)
      throws Exception {
    Set<Thread> held = new java.util.HashSet<>();
    List<Thread> fetch = withName(threads, FETCH);
    for (int i = 0; i < 20 && !held.containsAll(fetch); i++) {
      held.add(holdAFetchThread(release).get(10, TimeUnit.SECONDS));
    }
    return held;
  }

  private static List<Thread> withName(List<Thread> threads, String name) {
    return threads.stream().filter(t -> t.getName().equals(name)).toList();
  }

  /** Gives the fetch pool a task that waits for {@code release}; completes with its thread. */
  private static CompletableFuture<Thread> holdAFetchThread(CountDownLatch release) {
    CompletableFuture<Thread> ran = new CompletableFuture<>();
    TokenTimeouts.fetchExecutor()
        .execute(
            () -> {
              ran.complete(Thread.currentThread());
              awaitQuietly(release);
            });
    return ran;
  }

  private static void awaitEnded(List<Thread> threads) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (Thread thread : threads) {
      thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }
    assertThat(threads.stream().filter(Thread::isAlive).map(Thread::getName).toList())
        .as("token threads still running 20 s after their last task")
        .isEmpty();
  }

  private static List<Thread> liveThreads(String... names) {
    Set<String> wanted = Set.of(names);
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> wanted.contains(thread.getName()))
        .collect(Collectors.toCollection(ArrayList::new));
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static SimpleServiceGrpc.SimpleServiceBlockingStub stub(CallCredentials credentials) {
    return SimpleServiceGrpc.newBlockingStub(grpc.channel())
        .withCallCredentials(credentials)
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }
}
