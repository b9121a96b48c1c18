package io.github.grpcmiddleware.testing;

import static io.github.grpcmiddleware.testing.EchoService.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** Static = one server per class (nested classes included), instance = one per test. */
class GrpcServerExtensionLifecycleTest {
  static final List<Server> SERVERS = new CopyOnWriteArrayList<>();
  static final List<String> REPLIES = new CopyOnWriteArrayList<>();

  @BeforeEach
  void reset() {
    SERVERS.clear();
    REPLIES.clear();
  }

  @Test
  void staticFieldServesTheWholeClassAndStopsAfterIt() {
    EngineExecutionResults results = TestKit.run(StaticFixture.class);

    results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
    assertThat(SERVERS).hasSize(2);
    assertThat(SERVERS.get(0)).isSameAs(SERVERS.get(1));
    assertThat(SERVERS.get(0).isTerminated()).isTrue();
    assertThat(REPLIES).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void instanceFieldStartsAServerPerTestAndStopsEach() {
    EngineExecutionResults results = TestKit.run(InstanceFixture.class);

    results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
    assertThat(SERVERS).hasSize(2);
    assertThat(SERVERS.get(0)).isNotSameAs(SERVERS.get(1));
    assertThat(SERVERS).allSatisfy(server -> assertThat(server.isTerminated()).isTrue());
  }

  @Test
  void staticFieldKeepsOneServerAcrossNestedClasses() {
    EngineExecutionResults results = TestKit.run(NestedFixture.class);

    results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
    assertThat(SERVERS).hasSize(2);
    assertThat(SERVERS.get(0)).isSameAs(SERVERS.get(1));
    assertThat(SERVERS.get(0).isTerminated()).isTrue();
  }

  static class StaticFixture {
    @RegisterExtension
    static final GrpcServerExtension grpc =
        GrpcServerExtension.builder().service(new EchoService()).build();

    @Test
    void first() {
      SERVERS.add(grpc.server());
      REPLIES.add(
          grpc.stub(SimpleServiceGrpc::newBlockingStub)
              .unaryRpc(request("a"))
              .getResponseMessage());
    }

    @Test
    void second() {
      SERVERS.add(grpc.server());
      REPLIES.add(
          SimpleServiceGrpc.newBlockingStub(grpc.channel())
              .unaryRpc(request("b"))
              .getResponseMessage());
    }
  }

  static class InstanceFixture {
    @RegisterExtension
    final GrpcServerExtension grpc =
        GrpcServerExtension.builder().service(new EchoService()).build();

    @Test
    void first() {
      SERVERS.add(grpc.server());
      grpc.stub(SimpleServiceGrpc::newBlockingStub).unaryRpc(request("a"));
    }

    @Test
    void second() {
      SERVERS.add(grpc.server());
      grpc.stub(SimpleServiceGrpc::newBlockingStub).unaryRpc(request("b"));
    }
  }

  static class NestedFixture {
    @RegisterExtension
    static final GrpcServerExtension grpc =
        GrpcServerExtension.builder().service(new EchoService()).build();

    @Test
    void outer() {
      SERVERS.add(grpc.server());
    }

    @Nested
    class Inner {
      @Test
      void inner() {
        SERVERS.add(grpc.server());
        grpc.stub(SimpleServiceGrpc::newBlockingStub).unaryRpc(request("nested"));
      }
    }
  }
}
