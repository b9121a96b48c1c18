package io.github.grpcmiddleware.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testsupport.RawBytes;
import io.github.grpcmiddleware.testsupport.Rpcs;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The call pipeline on its own, with parts that record what they are told: the order of the hooks,
 * one end on every path (with and without the stream tracer), nothing sent after the end, and start
 * decisions that arrive later. In-process, with a multi-threaded executor.
 */
@SuppressWarnings("NullAway") // server and channel are set by start()
class ServerPipelineTest {

  @RegisterExtension
  final LogCapture pipelineLog = LogCapture.forLogger(PipelineCall.class).atLevel("DEBUG");

  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<Status> ends = new CopyOnWriteArrayList<>();
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final List<AutoCloseable> closing = new ArrayList<>();
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
    executor.shutdownNow();
    timer.shutdownNow();
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  // ---- hook order

  @Test
  void startsRunOutermostFirstClosesInnermostFirstAndEachPartIsToldTheEndOnce() throws Exception {
    start(
        true,
        new Recorder("a", ServerPart.TRACING),
        new Recorder("b", ServerPart.LOCALE),
        new Recorder("c", ServerPart.AUTH));

    Rpcs.CLIENT_STREAMING.status(channel);

    awaitEnds(3);
    assertThat(events)
        .containsSubsequence("start a", "start b", "start c", "service start")
        .containsSubsequence("message a", "message b", "message c", "service message")
        .containsSubsequence("close c", "close b", "close a")
        .containsSubsequence("end a", "end b", "end c");
    assertThat(events.stream().filter(e -> e.startsWith("end"))).hasSize(3);
    assertThat(ends).extracting(Status::getCode).containsOnly(Status.Code.OK);
  }

  // ---- one end on every path

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void aCallThatCompletesEndsOnce(boolean tracer) throws Exception {
    start(tracer, new Recorder("a", ServerPart.TRACING));

    assertThat(Rpcs.UNARY.status(channel).getCode()).isEqualTo(Status.Code.OK);

    assertEndedOnce(Status.Code.OK);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void aHandlerThatThrowsEndsOnceMappedByTheFailurePart(boolean tracer) throws Exception {
    start(tracer, new Recorder("a", ServerPart.TRACING), new Mapper());

    Status status = Status.fromThrowable(catchThrowable(() -> unary("throw")));

    assertThat(status.getCode()).isEqualTo(Status.Code.ABORTED);
    assertEndedOnce(Status.Code.ABORTED);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void aHandlerThatThrowsWithNothingToMapItEndsOnceAsGrpcClosedIt(boolean tracer) throws Exception {
    start(tracer, new Recorder("a", ServerPart.TRACING));

    Status status = Status.fromThrowable(catchThrowable(() -> unary("throw")));

    assertThat(status.getCode()).isEqualTo(Status.Code.UNKNOWN);
    assertEndedOnce(Status.Code.UNKNOWN);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void aRejectionAtStartEndsOnceAndTheServiceNeverStarts(boolean tracer) throws Exception {
    start(tracer, new Recorder("a", ServerPart.TRACING), new Rejecter());

    Status status = Status.fromThrowable(catchThrowable(() -> unary("hello")));

    assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertEndedOnce(Status.Code.PERMISSION_DENIED);
    assertThat(events).doesNotContain("service start");
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void aStartCallThatThrowsEndsOnce(boolean tracer) throws Exception {
    ServerInterceptor throwing =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
              ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
            throw Status.RESOURCE_EXHAUSTED.withDescription("from startCall").asRuntimeException();
          }
        };
    start(tracer, throwing, new Recorder("a", ServerPart.TRACING));

    Status status = Status.fromThrowable(catchThrowable(() -> unary("hello")));

    assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertEndedOnce(Status.Code.RESOURCE_EXHAUSTED);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void aDeadlineEndsOnce(boolean tracer) throws Exception {
    start(tracer, new Recorder("a", ServerPart.TRACING));

    Status status =
        Status.fromThrowable(
            catchThrowable(
                () ->
                    SimpleServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(100, TimeUnit.MILLISECONDS)
                        .unaryRpc(Rpcs.request("sleep"))));

    assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertEndedOnce(Status.Code.DEADLINE_EXCEEDED, Status.Code.CANCELLED);
  }

  @Test
  void aRequestGrpcCannotDecodeEndsOnceWithWhatTheClientGot() throws Exception {
    start(true, new Recorder("a", ServerPart.TRACING));
    MethodDescriptor<byte[], byte[]> raw =
        RawBytes.unary(SimpleServiceGrpc.getUnaryRpcMethod().getFullMethodName());

    Status status =
        Status.fromThrowable(
            catchThrowable(
                () ->
                    ClientCalls.blockingUnaryCall(
                        channel,
                        raw,
                        CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
                        new byte[] {0x0a, 0x05, 0x61})));

    assertThat(status.getCode()).isNotEqualTo(Status.Code.OK);
    assertEndedOnce(status.getCode());
  }

  @Test
  void aServerCallStartedInsideAnotherCallsStartGetsARecordOfItsOwn() throws Exception {
    // Server B runs its parts in-process under directExecutor(): its call starts on the thread that
    // is still starting server A's call (an interceptor of A calls B), with no tracer on either.
    String nameB = InProcessServerBuilder.generateName();
    Server serverB =
        InProcessServerBuilder.forName(nameB)
            .directExecutor()
            .addService(
                ServerInterceptors.intercept(
                    new Service(),
                    new ServerPipeline(
                        new ServerPart[] {new Recorder("b", ServerPart.TRACING)}, "B")))
            .build()
            .start();
    ManagedChannel toB = InProcessChannelBuilder.forName(nameB).directExecutor().build();
    closing.add(() -> toB.shutdownNow());
    closing.add(() -> serverB.shutdownNow());
    ServerInterceptor callsB =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
              ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
            SimpleServiceGrpc.newBlockingStub(toB).unaryRpc(Rpcs.request("from a's start"));
            return next.startCall(call, headers);
          }
        };
    String nameA = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(nameA)
            .directExecutor()
            .addService(
                ServerInterceptors.intercept(
                    new Service(),
                    callsB,
                    new ServerPipeline(
                        new ServerPart[] {new Recorder("a", ServerPart.TRACING)}, "A")))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(nameA).directExecutor().build();

    assertThat(unary("hello").getResponseMessage()).isEqualTo("ok");

    awaitEnds(2);
    assertThat(events).contains("start a", "start b", "end a", "end b");
    assertThat(ends).hasSize(2);
  }

  // ---- nothing sent after the end

  @Test
  void whatTheServiceSendsAfterTheClientCancelledIsDroppedQuietly() throws Exception {
    Sender sender = new Sender();
    start(true, sender, new Recorder("a", ServerPart.TRACING));
    ClientCall<SimpleRequest, SimpleResponse> call =
        channel.newCall(SimpleServiceGrpc.getServerStreamingRpcMethod(), CallOptions.DEFAULT);
    CompletableFuture<Status> closed = new CompletableFuture<>();
    call.start(
        new ClientCall.Listener<SimpleResponse>() {
          @Override
          public void onClose(Status status, Metadata trailers) {
            closed.complete(status);
          }
        },
        new Metadata());
    call.request(1);
    call.sendMessage(Rpcs.request("hold"));
    call.halfClose();
    assertThat(sender.started.await(5, TimeUnit.SECONDS)).isTrue();

    call.cancel("client gave up", null);
    assertThat(closed.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.CANCELLED);
    awaitEnds(1);
    sender.go.countDown();

    assertThat(sender.outcome.get(5, TimeUnit.SECONDS)).isEqualTo("sent without an exception");
    assertThat(
            pipelineLog
                .await(e -> e.message().contains("dropped"), Duration.ofSeconds(5))
                .message())
        .contains("dropped, the call is over (ended by the transport)");
    assertThat(ends).hasSize(1);
  }

  // ---- start decisions that arrive later

  @Test
  void eventsThatArriveWhileADecisionWaitsAreDeliveredInOrderAfterIt() throws Exception {
    start(true, new Recorder("a", ServerPart.TRACING), new Later(timer, executor, false));

    Rpcs.Outcome outcome = Rpcs.call(channel, new Metadata(), Rpcs.CLIENT_STREAMING);

    assertThat(outcome.code()).isEqualTo(Status.Code.OK);
    assertThat(events)
        .containsSubsequence(
            "decided", "service start", "service message", "service message", "service half-close");
    assertEndedOnce(Status.Code.OK);
  }

  @Test
  void aRejectionThatArrivesLaterClosesTheCallAndStartsNothing() throws Exception {
    start(true, new Recorder("a", ServerPart.TRACING), new Later(timer, executor, true));

    Status status = Status.fromThrowable(catchThrowable(() -> unary("hello")));

    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertEndedOnce(Status.Code.UNAVAILABLE);
    assertThat(events).doesNotContain("service start");
  }

  @Test
  void aCancelWhileADecisionWaitsEndsTheCallAtOnceAndStartsNothing() throws Exception {
    Later later = new Later(timer, executor, false);
    later.delayMillis = 500;
    start(true, new Recorder("a", ServerPart.TRACING), later);

    Status status =
        Status.fromThrowable(
            catchThrowable(
                () ->
                    SimpleServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(100, TimeUnit.MILLISECONDS)
                        .unaryRpc(Rpcs.request("hello"))));

    assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    awaitEnds(1);
    assertThat(later.decided.await(5, TimeUnit.SECONDS)).isTrue();
    TimeUnit.MILLISECONDS.sleep(100); // what the late decision would start, it starts by now
    assertThat(events).doesNotContain("service start");
    assertThat(ends).hasSize(1);
  }

  // ---- harness

  private void assertEndedOnce(Status.Code... codes) throws InterruptedException {
    awaitEnds(1);
    TimeUnit.MILLISECONDS.sleep(50); // a second end, if any, would come by now
    assertThat(ends).hasSize(1);
    assertThat(ends.get(0).getCode()).isIn((Object[]) codes);
  }

  private void awaitEnds(int count) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (ends.size() < count && System.nanoTime() < until) {
      TimeUnit.MILLISECONDS.sleep(5);
    }
    assertThat(ends).as("ends").hasSizeGreaterThanOrEqualTo(count);
  }

  private SimpleResponse unary(String text) {
    return SimpleServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .unaryRpc(Rpcs.request(text));
  }

  /**
   * Starts the server with {@code outer} interceptors first, then one pipeline of {@code parts}.
   */
  private void start(boolean tracer, Object... outerThenParts) throws Exception {
    List<ServerInterceptor> interceptors = new ArrayList<>();
    List<ServerPart> parts = new ArrayList<>();
    for (Object o : outerThenParts) {
      if (o instanceof ServerPart) {
        parts.add((ServerPart) o);
      } else {
        interceptors.add((ServerInterceptor) o);
      }
    }
    ServerPipeline pipeline = new ServerPipeline(parts.toArray(new ServerPart[0]), "test");
    // ServerInterceptors.intercept runs the last interceptor first: the pipeline, then the rest.
    List<ServerInterceptor> order = new ArrayList<>(interceptors);
    order.add(pipeline);
    String name = InProcessServerBuilder.generateName();
    InProcessServerBuilder builder =
        InProcessServerBuilder.forName(name)
            .executor(executor)
            .addService(ServerInterceptors.intercept(new Service(), order));
    if (tracer) {
      builder.addStreamTracerFactory(new ServerCallTracerFactory());
    }
    server = builder.build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  /** Records its hooks and its end. */
  private class Recorder extends ServerPart implements ServerCallObserver {
    private final String name;

    Recorder(String name, int kind) {
      super(kind, ON_START | ON_MESSAGE | ON_CLOSE, "test", "Recorder " + name);
      this.name = name;
    }

    @Override
    public StartResult start(ServerCallScope scope, PipelineCall<?, ?> call, Metadata headers) {
      events.add("start " + name);
      scope.observe(this);
      return StartResult.CONTINUE;
    }

    @Override
    public boolean onMessage(ServerCallScope scope, PipelineCall<?, ?> call, Object message) {
      events.add("message " + name);
      return true;
    }

    @Override
    public Status onClose(ServerCallScope scope, Status status, Metadata trailers) {
      events.add("close " + name);
      return status;
    }

    @Override
    public void callEnded(ServerCallScope call, Status status) {
      events.add("end " + name);
      ends.add(status);
    }
  }

  /** A failure part: maps every failure to ABORTED. */
  private static final class Mapper extends ServerPart {
    Mapper() {
      super(ERROR_MAPPING, ON_FAILURE, "errorMapping", "Mapper");
    }

    @Override
    public Status onFailure(ServerCallScope scope, Throwable failure, Metadata trailers) {
      return Status.ABORTED.withDescription("mapped");
    }
  }

  /** Rejects every call at start. */
  private static final class Rejecter extends ServerPart {
    Rejecter() {
      super(AUTH, ON_START, "auth", "Rejecter");
    }

    @Override
    public StartResult start(ServerCallScope scope, PipelineCall<?, ?> call, Metadata headers) {
      return call.reject(this, Status.PERMISSION_DENIED, new Metadata());
    }
  }

  /** Decides later, on a timer, and goes on on the executor. */
  private final class Later extends ServerPart {
    private final ScheduledExecutorService timer;
    private final ExecutorService executor;
    private final boolean reject;
    final CountDownLatch decided = new CountDownLatch(1);
    volatile long delayMillis = 50;

    Later(ScheduledExecutorService timer, ExecutorService executor, boolean reject) {
      super(LIMITS, ON_START, "limits", "Later");
      this.timer = timer;
      this.executor = executor;
      this.reject = reject;
    }

    @Override
    public StartResult start(ServerCallScope scope, PipelineCall<?, ?> call, Metadata headers) {
      StartResult.Pending pending = StartResult.later(executor);
      timer.schedule(
          () -> {
            events.add("decided");
            decided.countDown();
            if (reject) {
              pending.reject(Status.UNAVAILABLE.withDescription("store down"), new Metadata());
            } else {
              pending.proceed();
            }
          },
          delayMillis,
          TimeUnit.MILLISECONDS);
      return pending;
    }
  }

  /**
   * Inside the pipeline, answers server-streaming calls itself: holds each until told, then sends
   * and closes from its own thread, as a service does that answers later.
   */
  private static final class Sender implements ServerInterceptor {
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch go = new CountDownLatch(1);
    final CompletableFuture<String> outcome = new CompletableFuture<>();

    @Override
    @SuppressWarnings("unchecked") // the server-streaming method's response type
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      if (call.getMethodDescriptor().getType() != MethodDescriptor.MethodType.SERVER_STREAMING) {
        return next.startCall(call, headers);
      }
      call.request(2);
      return new ServerCall.Listener<ReqT>() {
        @Override
        public void onHalfClose() {
          started.countDown();
          Thread thread =
              new Thread(
                  () -> {
                    try {
                      go.await(5, TimeUnit.SECONDS);
                      call.sendHeaders(new Metadata());
                      call.sendMessage(
                          (RespT) SimpleResponse.newBuilder().setResponseMessage("late").build());
                      call.close(Status.OK, new Metadata());
                      outcome.complete("sent without an exception");
                    } catch (RuntimeException | InterruptedException e) {
                      outcome.complete("threw " + e);
                    }
                  });
          thread.setDaemon(true);
          thread.start();
        }
      };
    }
  }

  private final class Service extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
      events.add("service start");
      switch (request.getRequestMessage()) {
        case "throw" -> throw new IllegalStateException("handler failed");
        case "sleep" -> sleep(1000);
        default -> {}
      }
      responses.onNext(SimpleResponse.newBuilder().setResponseMessage("ok").build());
      responses.onCompleted();
    }

    @Override
    public StreamObserver<SimpleRequest> clientStreamingRpc(
        StreamObserver<SimpleResponse> responses) {
      events.add("service start");
      return new StreamObserver<SimpleRequest>() {
        @Override
        public void onNext(SimpleRequest value) {
          events.add("service message");
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          events.add("service half-close");
          responses.onNext(SimpleResponse.getDefaultInstance());
          responses.onCompleted();
        }
      };
    }
  }

  private static void sleep(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
