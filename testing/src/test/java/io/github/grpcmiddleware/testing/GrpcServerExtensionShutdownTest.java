package io.github.grpcmiddleware.testing;

import static io.github.grpcmiddleware.testing.EchoService.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** Graceful shutdown after a pass, immediate after a failure, a clear failure when stuck. */
class GrpcServerExtensionShutdownTest {
  /** How each in-flight call ended on the client: OK or the status code. */
  static final BlockingQueue<Status.Code> OUTCOMES = new LinkedBlockingQueue<>();

  static final List<Object> REGISTERED = new CopyOnWriteArrayList<>();

  @BeforeEach
  void reset() {
    OUTCOMES.clear();
    REGISTERED.clear();
  }

  @Test
  void aPassingTestLetsARunningCallFinish() throws Exception {
    EngineExecutionResults results = TestKit.run(GracefulFixture.class);

    assertThat(TestKit.failures(results)).isEmpty();
    assertThat(OUTCOMES.poll(5, TimeUnit.SECONDS)).isEqualTo(Status.Code.OK);
  }

  @Test
  void aFailingTestCancelsRunningCallsAndReportsOnlyItsOwnFailure() throws Exception {
    EngineExecutionResults results = TestKit.run(ImmediateFixture.class);

    assertThat(TestKit.failures(results))
        .singleElement()
        .satisfies(
            e -> assertThat(e).hasMessage("the test's own failure").hasNoSuppressedExceptions());
    assertThat(OUTCOMES.poll(5, TimeUnit.SECONDS))
        .isIn(Status.Code.CANCELLED, Status.Code.UNAVAILABLE);
  }

  @Test
  void aFailedTestInAClassScopedServerMakesTheClassShutDownImmediately() throws Exception {
    EngineExecutionResults results = TestKit.run(StaticImmediateFixture.class);

    assertThat(TestKit.failures(results))
        .singleElement()
        .satisfies(e -> assertThat(e).hasMessage("the test's own failure"));
    assertThat(OUTCOMES.poll(5, TimeUnit.SECONDS))
        .isIn(Status.Code.CANCELLED, Status.Code.UNAVAILABLE);
  }

  @Test
  void aCallThatNeverEndsFailsThePassingTestWithAClearMessage() {
    EngineExecutionResults results = TestKit.run(StuckFixture.class);

    results.testEvents().assertStatistics(stats -> stats.started(1).failed(1));
    assertThat(TestKit.failures(results))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("did not terminate within 300 ms")
                    .hasMessageContaining("after a graceful shutdown() (the test passed)")
                    .hasMessageContaining("a handler that never completes its response"));
  }

  @Test
  void registeredServersAndChannelsAreShutDown() {
    EngineExecutionResults results = TestKit.run(RegisterFixture.class);

    assertThat(TestKit.failures(results)).isEmpty();
    assertThat(REGISTERED).hasSize(2);
    assertThat(((Server) REGISTERED.get(0)).isTerminated()).isTrue();
    assertThat(((ManagedChannel) REGISTERED.get(1)).isTerminated()).isTrue();
  }

  /** A service whose unary handler signals that it started, then waits before answering. */
  static EchoService slowService(CountDownLatch started, Duration delay) {
    return new EchoService(
        () -> {
          started.countDown();
          try {
            Thread.sleep(delay.toMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
  }

  static void startCall(GrpcServerExtension grpc, CountDownLatch started) throws Exception {
    grpc.stub(SimpleServiceGrpc::newStub)
        .unaryRpc(
            request("slow"),
            new StreamObserver<SimpleResponse>() {
              @Override
              public void onNext(SimpleResponse value) {}

              @Override
              public void onError(Throwable t) {
                OUTCOMES.add(Status.fromThrowable(t).getCode());
              }

              @Override
              public void onCompleted() {
                OUTCOMES.add(Status.Code.OK);
              }
            });
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
  }

  static class GracefulFixture {
    final CountDownLatch started = new CountDownLatch(1);

    @RegisterExtension
    final GrpcServerExtension grpc =
        GrpcServerExtension.builder().service(slowService(started, Duration.ofMillis(300))).build();

    @Test
    void passesWithACallRunning() throws Exception {
      startCall(grpc, started);
    }
  }

  static class ImmediateFixture {
    final CountDownLatch started = new CountDownLatch(1);

    @RegisterExtension
    final GrpcServerExtension grpc =
        GrpcServerExtension.builder().service(slowService(started, Duration.ofSeconds(30))).build();

    @Test
    void failsWithACallRunning() throws Exception {
      startCall(grpc, started);
      throw new AssertionError("the test's own failure");
    }
  }

  static class StaticImmediateFixture {
    static final CountDownLatch started = new CountDownLatch(1);

    @RegisterExtension
    static final GrpcServerExtension grpc =
        GrpcServerExtension.builder().service(slowService(started, Duration.ofSeconds(30))).build();

    @Test
    void failsWithACallRunning() throws Exception {
      startCall(grpc, started);
      throw new AssertionError("the test's own failure");
    }
  }

  static class StuckFixture {
    final CountDownLatch started = new CountDownLatch(1);

    @RegisterExtension
    final GrpcServerExtension grpc =
        GrpcServerExtension.builder()
            .service(slowService(started, Duration.ofSeconds(30)))
            .shutdownTimeout(Duration.ofMillis(300))
            .build();

    @Test
    void passesButLeavesACallRunning() throws Exception {
      startCall(grpc, started);
    }
  }

  static class RegisterFixture {
    @RegisterExtension
    final GrpcServerExtension grpc =
        GrpcServerExtension.builder().service(new EchoService()).build();

    @Test
    void registersItsOwn() throws Exception {
      String name = InProcessServerBuilder.generateName();
      Server other =
          grpc.register(
              InProcessServerBuilder.forName(name).addService(new EchoService()).build().start());
      ManagedChannel channel = grpc.register(InProcessChannelBuilder.forName(name).build());
      SimpleServiceGrpc.newBlockingStub(channel).unaryRpc(request("x"));
      REGISTERED.add(other);
      REGISTERED.add(channel);
    }
  }
}
