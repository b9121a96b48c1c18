package io.github.grpcmiddleware.internal;

import static io.github.grpcmiddleware.testsupport.Rpcs.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.testsupport.CallThreads;
import io.github.grpcmiddleware.testsupport.NettyChainServer;
import io.github.grpcmiddleware.testsupport.RecordingService;
import io.github.grpcmiddleware.testsupport.Responses;
import io.github.grpcmiddleware.trace.TraceIdTestInterceptor;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * Start decisions that arrive later ({@link StartResult#later}), from a thread of their own (as a
 * Redis client's I/O thread completes a limit's decision): the call goes on on the decision's
 * executor, in the call's Context and MDC, with the messages the client sent meanwhile delivered in
 * order; a part may go on deciding ({@link StartResult.Pending#proceed(StartResult.Continuation)})
 * and wait again, or reject; a call that ends while it waits never starts. The chain is installed
 * with its stream tracer, as users install it.
 */
@SuppressWarnings("NullAway.Init") // server: set by each test's start
class LaterStartTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

  private final CallThreads threads = new CallThreads("foreign");
  private final ScheduledExecutorService foreign = threads.foreign;
  private final ExecutorService callExecutor = threads.call;
  private final RecordingService service = new RecordingService();
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private NettyChainServer server;

  @AfterEach
  void stop() throws InterruptedException {
    server.close();
    threads.close();
  }

  /** A part (in auth's place) whose decision {@code decide} makes on the foreign thread later. */
  private class LaterPart extends ServerPart {
    private final long delayMillis;
    private final Consumer<StartResult.Pending> decide;

    LaterPart(long delayMillis, Consumer<StartResult.Pending> decide) {
      super(AUTH, ON_START, "auth", "LaterPart");
      this.delayMillis = delayMillis;
      this.decide = decide;
    }

    @Override
    public StartResult start(ServerCallScope scope, PipelineCall<?, ?> call, Metadata headers) {
      StartResult.Pending pending = StartResult.later(callExecutor);
      foreign.schedule(() -> decide.accept(pending), delayMillis, TimeUnit.MILLISECONDS);
      return pending;
    }
  }

  private void start(ServerPart part) throws Exception {
    ServerInterceptor chain =
        ServerChain.builder().tracing(new TraceIdTestInterceptor(TRACE_ID)).auth(part).build();
    server = NettyChainServer.start(chain, service, threads.server);
  }

  /** Where and in what a piece of the call ran: thread, Context's trace id and deadline, MDC. */
  private void note(String what) {
    seen.add(
        what
            + " on "
            + Thread.currentThread().getName()
            + " trace="
            + TraceIds.current()
            + " mdc="
            + MDC.get("traceId")
            + " deadline="
            + (Context.current().getDeadline() != null));
  }

  private static final String IN_THE_CALL =
      " on call-executor trace=" + TRACE_ID + " mdc=" + TRACE_ID + " deadline=true";

  private SimpleServiceGrpc.SimpleServiceStub stub() {
    return SimpleServiceGrpc.newStub(server.channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void aDecisionFromAnotherThreadStartsTheServiceOnTheExecutorInTheCallsContext() throws Exception {
    service.onStart = () -> note("service");
    start(new LaterPart(50, StartResult.Pending::proceed));
    Responses responses = new Responses();
    // Sent before the decision: held, then delivered in order.
    Responses.send(stub().clientStreamingRpc(responses), "a", "b", "c");

    assertThat(responses.await().getCode()).isEqualTo(Status.Code.OK);
    assertThat(responses.texts).containsExactly("a,b,c");
    assertThat(seen).containsExactly("service" + IN_THE_CALL);
  }

  @Test
  void aPartWithMoreToDecideGoesOnInTheCallsBracketAndMayWaitAgain() throws Exception {
    service.onStart = () -> note("service");
    start(
        new LaterPart(
            50,
            first ->
                first.proceed(
                    (scope, call, headers) -> {
                      note("continuation");
                      StartResult.Pending second = StartResult.later(callExecutor);
                      foreign.schedule(() -> second.proceed(), 50, TimeUnit.MILLISECONDS);
                      return second;
                    })));
    Responses responses = new Responses();
    Responses.send(stub().bidiStreamingRpc(responses), "a", "b", "c");

    assertThat(responses.await().getCode()).isEqualTo(Status.Code.OK);
    assertThat(responses.texts).containsExactly("a", "b", "c");
    assertThat(service.received).containsExactly("a", "b", "c");
    assertThat(seen).containsExactly("continuation" + IN_THE_CALL, "service" + IN_THE_CALL);
  }

  @Test
  void aContinuationThatRejectsClosesTheCallAndTheServiceNeverStarts() throws Exception {
    LaterPart[] part = new LaterPart[1];
    part[0] =
        new LaterPart(
            50,
            pending ->
                pending.proceed(
                    (scope, call, headers) ->
                        call.reject(
                            part[0],
                            Status.PERMISSION_DENIED.withDescription("not you"),
                            new Metadata())));
    start(part[0]);
    Responses responses = new Responses();
    Responses.send(stub().bidiStreamingRpc(responses), "a", "b");

    Status status = responses.await();
    assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(status.getDescription()).isEqualTo("not you");
    assertThat(service.started).hasValue(0);
    assertThat(service.received).isEmpty();
  }

  @Test
  void aCallThatEndsWhileItWaitsEndsAtOnceAndNeverStarts() throws Exception {
    List<Status> ends = new CopyOnWriteArrayList<>();
    AtomicInteger continued = new AtomicInteger();
    CountDownLatch decided = new CountDownLatch(1);
    ServerPart part =
        new LaterPart(
            1_000,
            pending -> {
              pending.proceed(
                  (scope, call, headers) -> {
                    continued.incrementAndGet();
                    return StartResult.CONTINUE;
                  });
              decided.countDown();
            }) {
          @Override
          public StartResult start(
              ServerCallScope scope, PipelineCall<?, ?> call, Metadata headers) {
            scope.observe((ended, status) -> ends.add(status));
            return super.start(scope, call, headers);
          }
        };
    start(part);
    Responses responses = new Responses();
    StreamObserver<SimpleRequest> requests =
        SimpleServiceGrpc.newStub(server.channel)
            .withDeadlineAfter(100, TimeUnit.MILLISECONDS)
            .bidiStreamingRpc(responses);
    requests.onNext(request("a"));

    assertThat(responses.await().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    long waited = 0;
    while (ends.isEmpty() && waited < 5_000) {
      Thread.sleep(10);
      waited += 10;
    }
    assertThat(decided.getCount()).as("ended before the decision came").isEqualTo(1);
    assertThat(ends).singleElement().satisfies(s -> assertThat(s.isOk()).isFalse());

    assertThat(decided.await(10, TimeUnit.SECONDS)).isTrue();
    threads.drainCallExecutor(); // after the resumed start
    assertThat(continued).as("the continuation of an ended call").hasValue(0);
    assertThat(service.started).hasValue(0);
    assertThat(ends).hasSize(1);
  }
}
