package io.github.grpcmiddleware.chain;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.limits.LimitKey;
import io.github.grpcmiddleware.limits.Limits;
import io.github.grpcmiddleware.logging.AccessLog;
import io.github.grpcmiddleware.metrics.GrpcMetrics;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.github.grpcmiddleware.testsupport.CallTimers;
import io.github.grpcmiddleware.testsupport.Rpcs;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every call ends once, and that end releases and records everything, whatever ended it: an
 * interceptor outside the limits part that throws, the server's deadline cap, a client that gave up
 * before the server could start the call. Wiring mistakes say so once. Netty on 127.0.0.1.
 */
@SuppressWarnings("NullAway") // server and channel are set by start()
class OneEndTest {

  @RegisterExtension
  final LogCapture accessLog = LogCapture.forLogger(AccessLog.SERVER_LOGGER_NAME);

  /** The pipeline's logger, by name (so that this test compiles, and fails, on the code before). */
  @RegisterExtension
  final LogCapture pipeline =
      LogCapture.forLogger("io.github.grpcmiddleware.internal.ServerPipeline");

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final List<ExecutorService> executors = new ArrayList<>();
  private Server server;
  private ManagedChannel channel;

  @AfterEach
  void tearDown() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    executors.forEach(ExecutorService::shutdownNow);
  }

  // ---- 2: a failure outside the limits part gives the permits back

  @Test
  void anApplicationInterceptorThatThrowsAfterStartingTheCallLeaksNoPermit() throws Exception {
    ServerInterceptor throwsAfterStart =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
              ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
            ServerCall.Listener<ReqT> listener = next.startCall(call, headers);
            if (headers.containsKey(FAIL)) {
              throw new IllegalStateException("interceptor failed after starting the call");
            }
            return listener;
          }
        };
    start(
        ServerChain.builder()
            .errorMapping(ErrorMapping.newServerInterceptor())
            .application(throwsAfterStart)
            .limits(
                Limits.serverBuilder()
                    .concurrencyLimit("one", MethodSelector.of("*"), LimitKey.global(), 1)
                    .build())
            .build(),
        4);

    for (int i = 0; i < 3; i++) {
      assertThat(statusOnceAdmitted(Rpcs.header("x-fail", "yes"), "fail"))
          .as("call %d", i)
          .isEqualTo(Status.Code.INTERNAL);
    }

    assertThat(statusOnceAdmitted(new Metadata(), "after")).isEqualTo(Status.Code.OK);
  }

  /**
   * Calls until the server admits the call, for at most 5 s, and returns its status. A permit comes
   * back when the server ends the call; when the failure happened while the call was starting, that
   * end follows the close the client sees by a moment, so the next call may still find the permit
   * taken (once in a grpc-min run of {@code .ci/run}). A leaked permit never comes back: every
   * attempt is refused until the bound, and the test fails.
   */
  private Status.Code statusOnceAdmitted(Metadata headers, String message)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      Status.Code code;
      try {
        stub(headers).unaryRpc(Rpcs.request(message));
        code = Status.Code.OK;
      } catch (StatusRuntimeException e) {
        code = e.getStatus().getCode();
      }
      if (code != Status.Code.RESOURCE_EXHAUSTED || System.nanoTime() > deadline) {
        return code;
      }
      Thread.sleep(10);
    }
  }

  // ---- 3: the cap ends a running call as a client's deadline does

  @Test
  void theCapCancelsTheContextAndTellsTheServiceOnCancel() throws Exception {
    Producer producer = new Producer();
    start(
        producer,
        ServerChain.builder()
            .limits(
                Limits.serverBuilder()
                    .deadlineCap(MethodSelector.of("*"), Duration.ofMillis(200))
                    .build())
            .build(),
        4);

    Status status =
        Status.fromThrowable(
            org.assertj.core.api.Assertions.catchThrowable(
                () ->
                    stub(new Metadata())
                        .serverStreamingRpc(Rpcs.request("produce"))
                        .forEachRemaining(r -> {})));

    assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(producer.onCancelRan.await(5, TimeUnit.SECONDS))
        .as("the handler's cancel handler ran")
        .isTrue();
    assertThat(producer.stopped.await(5, TimeUnit.SECONDS)).as("the handler stopped").isTrue();
    assertThat(producer.contextCancelled).as("the handler's Context was cancelled").isTrue();
  }

  // ---- 4: a call cancelled before the server started it keeps its method

  @Test
  void aCallCancelledWhileTheExecutorIsBusyIsRecordedUnderItsMethodWithItsPeer() throws Exception {
    Blocker blocker = new Blocker();
    start(
        blocker,
        ServerChain.builder()
            .tracing(TraceIds.newServerInterceptor())
            .observability(AccessLog.newServerInterceptor())
            .observability(GrpcMetrics.newServerInterceptor(registry))
            .build(),
        1);
    String method = SimpleServiceGrpc.getUnaryRpcMethod().getFullMethodName();
    // The executor's only thread is held by a first call.
    SimpleServiceGrpc.newStub(channel).unaryRpc(Rpcs.request("block"), new NoopObserver());
    assertThat(blocker.blocking.await(5, TimeUnit.SECONDS)).isTrue();

    Status gaveUp =
        Status.fromThrowable(
            org.assertj.core.api.Assertions.catchThrowable(
                () ->
                    SimpleServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(200, TimeUnit.MILLISECONDS)
                        .unaryRpc(Rpcs.request("late"))));
    assertThat(gaveUp.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    blocker.release.countDown();

    List<LoggedEvent> lines = accessLog.awaitEvents(2, Duration.ofSeconds(10));
    // Each call's end writes its access-log line, then records its timer: wait for the timers too.
    CallTimers.await(
        registry.find("grpc.server.calls").tag("grpc.method", method), 2, Duration.ofSeconds(10));
    assertThat(lines)
        .allSatisfy(
            line -> {
              assertThat(line.message()).startsWith("server " + method + " UNARY ");
              assertThat(line.message()).doesNotContain("peer=-");
            });
    assertThat(lines.get(0).message() + lines.get(1).message()).contains(" OK ");
    Timer timer =
        registry.find("grpc.server.calls").tag("grpc.method", method).timers().stream()
            .reduce((a, b) -> a)
            .orElseThrow();
    assertThat(registry.find("grpc.server.calls").tag("grpc.method", "unknown").timers()).isEmpty();
    double started =
        registry.get("grpc.server.calls.started").tag("grpc.method", method).counter().count();
    long ended = CallTimers.count(registry.find("grpc.server.calls").tag("grpc.method", method));
    assertThat(timer).isNotNull();
    assertThat(ended).isEqualTo((long) started).isEqualTo(2);
  }

  // ---- 5: wiring mistakes speak once

  @Test
  void aChainWithoutItsStreamTracerWarnsOnceNamingInstall() throws Exception {
    ExecutorService executor = executor(2);
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .executor(executor)
            .addService(new Echo())
            .intercept(ServerChain.builder().tracing(TraceIds.newServerInterceptor()).build())
            .build()
            .start();
    channel = channel();

    stub(new Metadata()).unaryRpc(Rpcs.request("one"));
    stub(new Metadata()).unaryRpc(Rpcs.request("two"));

    assertThat(pipeline.events("WARN")).hasSize(1);
    assertThat(pipeline.events("WARN").get(0).message())
        .contains("without its stream tracer")
        .contains("ServerChain.install(serverBuilder, interceptor)");
  }

  @Test
  void twoChainInstancesOnOneServerLogEachCallOnceAndWarnOnce() throws Exception {
    ExecutorService executor = executor(2);
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .executor(executor)
            .addService(new Echo());
    ServerChain.install(builder, chainWithAccessLog());
    builder.intercept(chainWithAccessLog());
    server = builder.build().start();
    channel = channel();

    stub(new Metadata()).unaryRpc(Rpcs.request("one"));
    stub(new Metadata()).unaryRpc(Rpcs.request("two"));

    assertThat(accessLog.awaitEvents(2, Duration.ofSeconds(5))).hasSize(2);
    List<LoggedEvent> warnings = pipeline.events("WARN");
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).message())
        .contains("TraceIds, AccessLog run twice")
        .containsPattern(
            "installed in ServerChain\\[TraceIds, AccessLog\\]@\\w+ and again in"
                + " ServerChain\\[TraceIds, AccessLog\\]@\\w+");
  }

  private static ServerInterceptor chainWithAccessLog() {
    return ServerChain.builder()
        .tracing(TraceIds.newServerInterceptor())
        .observability(AccessLog.newServerInterceptor())
        .build();
  }

  // ---- harness

  private static final Metadata.Key<String> FAIL =
      Metadata.Key.of("x-fail", Metadata.ASCII_STRING_MARSHALLER);

  private SimpleServiceGrpc.SimpleServiceBlockingStub stub(Metadata headers) {
    return Rpcs.blocking(channel, headers).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private void start(ServerInterceptor chain, int threads) throws Exception {
    start(new Echo(), chain, threads);
  }

  private void start(
      SimpleServiceGrpc.SimpleServiceImplBase service, ServerInterceptor chain, int threads)
      throws Exception {
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .executor(executor(threads))
            .addService(service);
    server = ServerChain.install(builder, chain).build().start();
    channel = channel();
  }

  private ExecutorService executor(int threads) {
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    executors.add(executor);
    return executor;
  }

  private ManagedChannel channel() {
    return NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  private static final class Echo extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
      responses.onNext(
          SimpleResponse.newBuilder().setResponseMessage(request.getRequestMessage()).build());
      responses.onCompleted();
    }
  }

  /** Streams responses until told the call was cancelled. */
  private static final class Producer extends SimpleServiceGrpc.SimpleServiceImplBase {
    final CountDownLatch onCancelRan = new CountDownLatch(1);
    final CountDownLatch stopped = new CountDownLatch(1);
    volatile boolean contextCancelled;

    @Override
    public void serverStreamingRpc(
        SimpleRequest request, StreamObserver<SimpleResponse> responses) {
      ServerCallStreamObserver<SimpleResponse> call =
          (ServerCallStreamObserver<SimpleResponse>) responses;
      AtomicBoolean cancelled = new AtomicBoolean();
      Context context = Context.current();
      call.setOnCancelHandler(
          () -> {
            cancelled.set(true);
            contextCancelled = context.isCancelled();
            onCancelRan.countDown();
          });
      Thread producer =
          new Thread(
              () -> {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!cancelled.get() && System.nanoTime() < until) {
                  try {
                    call.onNext(SimpleResponse.newBuilder().setResponseMessage("x").build());
                    Thread.sleep(5);
                  } catch (InterruptedException | RuntimeException e) {
                    break;
                  }
                }
                if (cancelled.get()) {
                  stopped.countDown();
                }
              });
      producer.setDaemon(true);
      producer.start();
    }
  }

  /** Holds the executor's thread with the first call until released. */
  private static final class Blocker extends SimpleServiceGrpc.SimpleServiceImplBase {
    final CountDownLatch blocking = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger handled = new AtomicInteger();

    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
      handled.incrementAndGet();
      if (request.getRequestMessage().equals("block")) {
        blocking.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      responses.onNext(
          SimpleResponse.newBuilder().setResponseMessage(request.getRequestMessage()).build());
      responses.onCompleted();
    }
  }

  private static final class NoopObserver implements StreamObserver<SimpleResponse> {
    @Override
    public void onNext(SimpleResponse value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
