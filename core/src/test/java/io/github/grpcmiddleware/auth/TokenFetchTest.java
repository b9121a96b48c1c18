package io.github.grpcmiddleware.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Token fetches: never on the executor grpc-java hands to credentials (the caller's or a transport
 * thread under {@code directExecutor()}, the application's callback executor otherwise), at most
 * one thread stuck in a source that hangs, and only the newest fetch may replace the cached token.
 */
@SuppressWarnings("NullAway") // server and channel are set before each test
class TokenFetchTest {

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final List<String> sentTokens = new CopyOnWriteArrayList<>();
  private final List<String> fetchThreads = new CopyOnWriteArrayList<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private final CountDownLatch releaseFirst = new CountDownLatch(1);

  private final String name = InProcessServerBuilder.generateName();
  private Server server;
  private ManagedChannel direct;

  @BeforeEach
  void startServer() throws IOException {
    server =
        InProcessServerBuilder.forName(name)
            .addService(ServerInterceptors.intercept(new RecordingService(), recordToken()))
            .build()
            .start();
    direct = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void tearDown() {
    releaseFirst.countDown();
    direct.shutdownNow();
    server.shutdownNow();
  }

  @Test
  void theSourceNeverRunsOnTheCallersThread() {
    CallCredentials credentials = recordingFetchThreads();

    stub(credentials).unaryRpc(SimpleRequest.getDefaultInstance());

    assertThat(fetchThreads).singleElement().asString().startsWith("grpc-middleware-token-fetch");
    assertThat(sentTokens).containsExactly("Bearer tok");
  }

  @Test
  void theSourceNeverRunsOnTheChannelsExecutorEither() throws Exception {
    ExecutorService callbacks =
        Executors.newSingleThreadExecutor(task -> new Thread(task, "app-callbacks"));
    ManagedChannel withExecutor = InProcessChannelBuilder.forName(name).executor(callbacks).build();
    try {
      CallCredentials credentials = recordingFetchThreads();

      SimpleServiceGrpc.newBlockingStub(withExecutor)
          .withCallCredentials(credentials)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .unaryRpc(SimpleRequest.getDefaultInstance());

      // grpc-java hands the credentials "app-callbacks": a source that blocks there would hold
      // up the application's callbacks, and the calls waiting for the token behind them.
      assertThat(fetchThreads).singleElement().asString().startsWith("grpc-middleware-token-fetch");
      assertThat(sentTokens).containsExactly("Bearer tok");
    } finally {
      withExecutor.shutdownNow();
      callbacks.shutdownNow();
    }
  }

  @Test
  void aHungSourceHoldsOneThreadAndOnlyItsLateTokenIsKept() throws Exception {
    CallCredentials credentials =
        Auth.clientBuilder()
            .bearerToken(
                () -> {
                  int n = fetches.incrementAndGet();
                  if (n == 1) {
                    releaseFirst.await();
                  }
                  return AccessToken.of("tok-" + n, null);
                })
            .tokenTimeout(Duration.ofMillis(200))
            .build();

    Status first = statusOf(credentials);
    assertThat(first.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(first.getDescription()).contains("did not answer within 200 ms");

    // The first fetch is still stuck in the source: no second thread goes in after it.
    Status second = statusOf(credentials);
    assertThat(second.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(second.getDescription()).contains("has not answered the last fetch");
    assertThat(fetches).hasValue(1);

    releaseFirst.countDown();
    awaitCached(credentials, "Bearer tok-1");

    assertThat(fetches).hasValue(1);
    assertThat(sentTokens).containsExactly("Bearer tok-1");
  }

  /** Credentials whose source notes the thread it runs on and answers "tok". */
  private CallCredentials recordingFetchThreads() {
    return Auth.clientBuilder()
        .bearerToken(
            () -> {
              fetchThreads.add(Thread.currentThread().getName());
              return AccessToken.of("tok", null);
            })
        .build();
  }

  private void awaitCached(CallCredentials credentials, String expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      try {
        stub(credentials).unaryRpc(SimpleRequest.getDefaultInstance());
        assertThat(sentTokens).last().isEqualTo(expected);
        return;
      } catch (StatusRuntimeException e) {
        // The stuck fetch has not come back yet: the calls keep failing fast meanwhile.
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(System.nanoTime()).as("the released fetch came back").isLessThan(deadline);
        TimeUnit.MILLISECONDS.sleep(10);
      }
    }
  }

  private Status statusOf(CallCredentials credentials) {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> stub(credentials).unaryRpc(SimpleRequest.getDefaultInstance()));
    assertThat(e).as("the call failed").isNotNull();
    return e.getStatus();
  }

  private SimpleServiceGrpc.SimpleServiceBlockingStub stub(CallCredentials credentials) {
    return SimpleServiceGrpc.newBlockingStub(direct)
        .withCallCredentials(credentials)
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private ServerInterceptor recordToken() {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> io.grpc.ServerCall.Listener<ReqT> interceptCall(
          io.grpc.ServerCall<ReqT, RespT> call,
          Metadata headers,
          io.grpc.ServerCallHandler<ReqT, RespT> next) {
        String token = headers.get(AUTHORIZATION);
        if (token != null) {
          sentTokens.add(token);
        }
        return next.startCall(call, headers);
      }
    };
  }
}
