package io.github.grpcmiddleware.testing.junit6;

import static io.github.grpcmiddleware.testing.GrpcAssertions.assertThatCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.ServerCallCapture;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/** grpc-middleware-testing, compiled against JUnit 5.14, used from JUnit Jupiter 6. */
class JUnit6CompatibilityTest {
  static final List<Server> SERVERS = new CopyOnWriteArrayList<>();

  static final class Greeter extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
      if (request.getRequestMessage().isEmpty()) {
        responses.onError(Status.INVALID_ARGUMENT.withDescription("empty").asRuntimeException());
        return;
      }
      responses.onNext(
          SimpleResponse.newBuilder()
              .setResponseMessage("hello " + request.getRequestMessage())
              .build());
      responses.onCompleted();
    }
  }

  final ServerCallCapture capture = ServerCallCapture.create();

  @RegisterExtension
  final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new Greeter())
          .interceptor(capture.interceptor())
          .build();

  @RegisterExtension
  static final GrpcServerExtension netty =
      GrpcServerExtension.builder().netty().service(new Greeter()).build();

  @RegisterExtension final LogCapture logs = LogCapture.forRootLogger();

  static SimpleRequest request(String name) {
    return SimpleRequest.newBuilder().setRequestMessage(name).build();
  }

  @Test
  void runsOnJUnit6() {
    assertThat(Test.class.getPackage().getImplementationVersion()).startsWith("6.");
  }

  @Test
  void inProcessServerWithCaptureAndAssertions() {
    SimpleServiceGrpc.SimpleServiceBlockingStub stub =
        grpc.stub(SimpleServiceGrpc::newBlockingStub);

    assertThat(stub.unaryRpc(request("junit6")).getResponseMessage()).isEqualTo("hello junit6");
    assertThat(capture.lastCall().methodName()).isEqualTo("grpc.testing.SimpleService/UnaryRpc");
    assertThatCall(() -> stub.unaryRpc(request("")))
        .failsWith(Status.Code.INVALID_ARGUMENT)
        .withDescription("empty");
  }

  @Test
  void nettyServer() {
    assertThat(
            netty
                .stub(SimpleServiceGrpc::newBlockingStub)
                .unaryRpc(request("netty"))
                .getResponseMessage())
        .isEqualTo("hello netty");
  }

  @Test
  void lifecyclesUnderTheJUnit6Engine() {
    SERVERS.clear();
    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(Fixture.class)).execute();

    results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(1).failed(1));
    assertThat(SERVERS).hasSize(2).doesNotHaveDuplicates();
    assertThat(SERVERS).allSatisfy(server -> assertThat(server.isTerminated()).isTrue());
  }

  static class Fixture {
    @RegisterExtension
    final GrpcServerExtension grpc = GrpcServerExtension.builder().service(new Greeter()).build();

    @Test
    void passes() {
      SERVERS.add(grpc.server());
      grpc.stub(SimpleServiceGrpc::newBlockingStub).unaryRpc(request("a"));
    }

    @Test
    void fails() {
      SERVERS.add(grpc.server());
      throw new AssertionError("on purpose");
    }
  }
}
