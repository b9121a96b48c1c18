package io.github.grpcmiddleware.auth;

import static io.github.grpcmiddleware.testsupport.Rpcs.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.limits.LimitKey;
import io.github.grpcmiddleware.limits.Limits;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.github.grpcmiddleware.testsupport.CallThreads;
import io.github.grpcmiddleware.testsupport.NettyChainServer;
import io.github.grpcmiddleware.testsupport.RecordingService;
import io.github.grpcmiddleware.testsupport.Responses;
import io.github.grpcmiddleware.testsupport.Rpcs;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import java.security.Principal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.MDC;

/**
 * An {@link AsyncAuthenticator} whose identity provider answers 50 ms later on a thread of its own
 * ({@code idp-client}, as a non-blocking HTTP client's), on a Netty server on 127.0.0.1 with the
 * chain installed as users install it: messages the client sent meanwhile all reach the service, in
 * order; the service runs in the call's Context, never on the provider's thread; every answer maps
 * as a synchronous authenticator's would; a call that ends while it waits never starts.
 */
@SuppressWarnings("NullAway.Init") // server: set by each test's start
class AsyncAuthenticatorTest {
  private static final long ANSWER_MILLIS = 50;

  @RegisterExtension
  final LogCapture log = LogCapture.forLogger(AuthServerInterceptor.class).atLevel("INFO");

  private final CallThreads threads = new CallThreads("idp-client");
  private final ExecutorService callExecutor = threads.call;
  private final RecordingService service = new RecordingService();
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private NettyChainServer server;

  @AfterEach
  @SuppressWarnings("NullAway") // null in the builder test, which starts no server
  void stop() throws InterruptedException {
    if (server != null) {
      server.close();
    }
    threads.close();
  }

  /** The identity provider: what each bearer token gets, {@link #ANSWER_MILLIS} later. */
  private CompletableFuture<Principal> introspect(String token, long delayMillis) {
    CompletableFuture<Principal> answer = new CompletableFuture<>();
    Runnable decide =
        () -> {
          switch (token) {
            case "alice-token" -> answer.complete(new NamedPrincipal("alice"));
            case "mallory-token" -> answer.complete(new NamedPrincipal("mallory"));
            case "down" ->
                answer.completeExceptionally(
                    AuthenticationException.unavailable(new IOException("idp down")));
            case "boom" -> answer.completeExceptionally(new IllegalStateException("boom-token"));
            case "null" -> answer.complete(null);
            case "slow" -> {} // never answers
            default -> answer.completeExceptionally(AuthenticationException.invalid());
          }
        };
    threads.foreign.schedule(decide, delayMillis, TimeUnit.MILLISECONDS);
    return answer;
  }

  private final AsyncAuthenticator authenticator =
      (headers, attributes) -> introspect(Authenticators.bearerToken(headers), ANSWER_MILLIS);

  private void start(UnaryOperator<AuthServerBuilder> auth) throws IOException {
    start(auth, null);
  }

  private void start(UnaryOperator<AuthServerBuilder> auth, @Nullable ServerInterceptor limits)
      throws IOException {
    AuthServerBuilder builder =
        Auth.serverBuilder()
            .asyncAuthenticator(authenticator)
            .authorizer((principal, method) -> !principal.getName().equals("mallory"))
            .principalInMdc(true);
    io.github.grpcmiddleware.chain.ServerChainBuilder chain =
        ServerChain.builder()
            .errorMapping(ErrorMapping.serverBuilder().build())
            .auth(auth.apply(builder).build());
    if (limits != null) {
      chain.limits(limits);
    }
    server = NettyChainServer.start(chain.build(), service, threads.server);
    service.onStart = this::noteWhereTheServiceRuns;
  }

  /** Notes the service's thread, principal and MDC principal. */
  private void noteWhereTheServiceRuns() {
    seen.add(
        Thread.currentThread().getName()
            + " principal="
            + name(Auth.principal())
            + " mdc="
            + MDC.get("principal"));
  }

  private static String name(@Nullable Principal principal) {
    return principal == null ? "null" : principal.getName();
  }

  private SimpleServiceGrpc.SimpleServiceStub stub(String token) {
    return SimpleServiceGrpc.newStub(server.channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(Rpcs.bearer("Bearer " + token)))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** Starts a call of {@code kind} and sends m1, m2, m3 (m1 alone for unary) at once. */
  private static Responses call(SimpleServiceGrpc.SimpleServiceStub stub, Rpcs kind) {
    Responses responses = new Responses();
    StreamObserver<SimpleRequest> requests =
        switch (kind) {
          case UNARY -> {
            stub.unaryRpc(request("m1"), responses);
            yield null;
          }
          case CLIENT_STREAMING -> stub.clientStreamingRpc(responses);
          case BIDI_STREAMING -> stub.bidiStreamingRpc(responses);
          default -> throw new IllegalArgumentException(kind.toString());
        };
    if (requests != null) {
      requests.onNext(request("m1"));
      requests.onNext(request("m2"));
      requests.onNext(request("m3"));
      requests.onCompleted();
    }
    return responses;
  }

  @ParameterizedTest
  @EnumSource(
      value = Rpcs.class,
      names = {"UNARY", "CLIENT_STREAMING", "BIDI_STREAMING"})
  void messagesSentBeforeTheAnswerAllReachTheServiceInOrderWithThePrincipal(Rpcs kind)
      throws Exception {
    start(auth -> auth.callExecutor(callExecutor));
    long start = System.nanoTime();
    Responses responses = call(stub("alice-token"), kind);

    assertThat(responses.await().getCode()).isEqualTo(Status.Code.OK);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .as("the call waited for the identity provider")
        .isGreaterThanOrEqualTo(ANSWER_MILLIS);
    switch (kind) {
      case UNARY -> {
        assertThat(responses.texts).containsExactly("m1");
        assertThat(service.received).containsExactly("m1");
      }
      case CLIENT_STREAMING -> {
        assertThat(responses.texts).containsExactly("m1,m2,m3");
        assertThat(service.received).containsExactly("m1", "m2", "m3");
      }
      default -> {
        assertThat(responses.texts).containsExactly("m1", "m2", "m3");
        assertThat(service.received).containsExactly("m1", "m2", "m3");
      }
    }
    // A streaming handler starts where the call went on; a unary one runs when its request is
    // delivered (held and replayed there too, or by grpc-java on the server's executor).
    assertThat(seen)
        .singleElement()
        .asString()
        .matches(
            (kind == Rpcs.UNARY ? "(call|server)-executor" : "call-executor")
                + " principal=alice mdc=alice");
  }

  @Test
  void withoutTheStreamTracerTheServiceStillSeesThePrincipal() throws Exception {
    // Auth used alone, registered with ServerBuilder.intercept only (no stream tracer): the
    // pipeline opens the call's record in a Context of its own.
    ServerInterceptor alone =
        Auth.serverBuilder().asyncAuthenticator(authenticator).principalInMdc(true).build();
    service.onStart = this::noteWhereTheServiceRuns;
    Server plain =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .executor(threads.server)
            .intercept(alone)
            .addService(service)
            .build()
            .start();
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", plain.getPort(), InsecureChannelCredentials.create())
            .build();
    try {
      Responses responses = new Responses();
      Responses.send(
          SimpleServiceGrpc.newStub(channel)
              .withInterceptors(
                  MetadataUtils.newAttachHeadersInterceptor(Rpcs.bearer("Bearer alice-token")))
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .bidiStreamingRpc(responses),
          "m1",
          "m2");
      assertThat(responses.await().getCode()).isEqualTo(Status.Code.OK);
      assertThat(responses.texts).containsExactly("m1", "m2");
      assertThat(seen).containsExactly("grpcmiddleware-call principal=alice mdc=alice");
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      plain.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void withoutACallExecutorTheCallGoesOnOnTheLibrarysPoolNeverOnTheProvidersThread()
      throws Exception {
    start(auth -> auth);
    Responses responses = call(stub("alice-token"), Rpcs.BIDI_STREAMING);

    assertThat(responses.await().getCode()).isEqualTo(Status.Code.OK);
    assertThat(seen).singleElement().asString().startsWith("grpcmiddleware-call principal=alice");
  }

  @ParameterizedTest
  @CsvSource({
    "invalid,   UNAUTHENTICATED,   The credentials are invalid or expired.",
    "null,      UNAUTHENTICATED,   The credentials are invalid or expired.",
    "boom,      UNAUTHENTICATED,   The credentials are invalid or expired.",
    "down,      UNAVAILABLE,       Authentication is temporarily unavailable. Please retry later.",
    "mallory-token, PERMISSION_DENIED, You are not allowed to call this method."
  })
  void anAnswerThatRejectsClosesTheCallAsASynchronousAuthenticatorWouldAndDeliversNothing(
      String token, Status.Code code, String description) throws Exception {
    start(auth -> auth.callExecutor(callExecutor));
    Responses responses = call(stub(token), Rpcs.BIDI_STREAMING);

    Status status = responses.await();
    assertThat(status.getCode()).isEqualTo(code);
    assertThat(status.getDescription()).isEqualTo(description);
    assertThat(responses.texts).isEmpty();
    assertThat(service.started).hasValue(0);
    assertThat(service.received).isEmpty();
    if (token.equals("boom")) {
      assertThat(log.events("WARN"))
          .singleElement()
          .satisfies(
              e ->
                  assertThat(e.message())
                      .isEqualTo(
                          "authenticator threw java.lang.IllegalStateException for"
                              + " grpc.testing.SimpleService/BidiStreamingRpc; call rejected"));
    }
  }

  @Test
  void credentialsTheHeadersAlreadyRejectAreAnsweredAtOnce() throws Exception {
    start(auth -> auth.callExecutor(callExecutor));
    Responses responses = new Responses();
    SimpleServiceGrpc.newStub(server.channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .unaryRpc(request("m1"), responses);

    Status status = responses.await();
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(status.getDescription()).isEqualTo("Authentication is required.");
    assertThat(service.started).hasValue(0);
  }

  @Test
  void aProviderSlowerThanTheTimeoutIsAnOutageWithOneWarnUntilItAnswersInTime() throws Exception {
    start(auth -> auth.callExecutor(callExecutor).authenticationTimeout(Duration.ofMillis(200)));
    for (int i = 0; i < 3; i++) {
      Status status = call(stub("slow"), Rpcs.UNARY).await();
      assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }
    assertThat(call(stub("down"), Rpcs.UNARY).await().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(service.started).hasValue(0);
    assertThat(log.events("WARN"))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.message())
                    .isEqualTo(
                        "auth: the identity provider (AsyncAuthenticator) did not answer within"
                            + " 200 ms; calls get UNAVAILABLE until it answers in time"));

    assertThat(call(stub("alice-token"), Rpcs.UNARY).await().getCode()).isEqualTo(Status.Code.OK);
    assertThat(log.events("INFO"))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.message())
                    .startsWith("auth: the identity provider (AsyncAuthenticator) answers again")
                    .endsWith("; 4 calls got UNAVAILABLE meanwhile"));
    assertThat(log.events().stream().map(LoggedEvent::message))
        .noneMatch(m -> m.contains("token") || m.contains("idp down"));
  }

  @Test
  void aCallThatEndsWhileItWaitsNeverStartsEvenWhenTheAnswerComesLater() throws Exception {
    CountDownLatch answered = new CountDownLatch(1);
    start(
        auth ->
            auth.callExecutor(callExecutor)
                .asyncAuthenticator(
                    (headers, attributes) -> {
                      CompletableFuture<Principal> answer =
                          introspect(Authenticators.bearerToken(headers), 500);
                      answer.whenComplete((p, e) -> answered.countDown());
                      return answer;
                    }));
    Responses responses = new Responses();
    StreamObserver<SimpleRequest> requests =
        stub("alice-token")
            .withDeadlineAfter(100, TimeUnit.MILLISECONDS)
            .bidiStreamingRpc(responses);
    requests.onNext(request("m1"));

    assertThat(responses.await().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(answered.await(10, TimeUnit.SECONDS)).isTrue();
    threads.drainCallExecutor(); // after the resumed start
    assertThat(service.started).hasValue(0);
    assertThat(service.received).isEmpty();
  }

  @Test
  void aLimitPerPrincipalAfterItCountsThePrincipalTheProviderNamed() throws Exception {
    start(
        auth -> auth.callExecutor(callExecutor),
        Limits.serverBuilder()
            .rateLimit(
                "one-per-caller",
                MethodSelector.of("*"),
                LimitKey.principal(),
                1,
                Duration.ofHours(1))
            .build());
    assertThat(call(stub("alice-token"), Rpcs.UNARY).await().getCode()).isEqualTo(Status.Code.OK);
    Status second = call(stub("alice-token"), Rpcs.UNARY).await();
    assertThat(second.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(service.started).hasValue(1);
  }

  @Test
  void theBuilderRefusesATimeoutForASynchronousAuthenticator() {
    AuthServerBuilder builder =
        Auth.serverBuilder()
            .authenticator(Authenticators.bearer(token -> new NamedPrincipal("x")))
            .authenticationTimeout(Duration.ofMillis(500));
    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "authenticationTimeout: PT0.5S (expected: an AsyncAuthenticator; a synchronous"
                + " Authenticator blocks its thread and cannot be timed out)");
    assertThatThrownBy(() -> builder.authenticationTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout: PT0S (expected: > 0 and <= PT1H)");
    assertThat(builder.asyncAuthenticator(authenticator).build()).isNotNull();
  }
}
