package io.github.grpcmiddleware.metrics;

import static io.github.grpcmiddleware.testsupport.ObservedService.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testsupport.CallTimers;
import io.github.grpcmiddleware.testsupport.ObservedService;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GrpcMetricsTest {

  private static final String UNARY = "grpc.testing.SimpleService/UnaryRpc";
  private static final String SERVER_STREAMING = "grpc.testing.SimpleService/ServerStreamingRpc";

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final ObservedService service = new ObservedService();
  private final ObservedService.Ends ends = new ObservedService.Ends();

  @RegisterExtension
  final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(service)
          .interceptor(
              ends,
              GrpcMetrics.serverBuilder(registry).build(),
              new ObservedService.FakeErrorMapping())
          .build();

  private SimpleServiceGrpc.SimpleServiceBlockingStub blocking() {
    return SimpleServiceGrpc.newBlockingStub(
        grpc.channel(GrpcMetrics.clientBuilder(registry).build()));
  }

  private long serverCalls(String method, Status.Code code) {
    Timer timer =
        registry
            .find("grpc.server.calls")
            .tag("grpc.method", method)
            .tag("grpc.status", code.name())
            .timer();
    return timer == null ? 0 : timer.count();
  }

  private long clientCalls(String method, Status.Code code) {
    Timer timer =
        registry
            .find("grpc.client.calls")
            .tag("grpc.method", method)
            .tag("grpc.status", code.name())
            .timer();
    return timer == null ? 0 : timer.count();
  }

  private double counter(String name, String method) {
    Counter counter = registry.find(name).tag("grpc.method", method).counter();
    return counter == null ? 0 : counter.count();
  }

  /** Waits until the server has recorded {@code count} calls in total. */
  private void awaitServerCalls(int count) throws InterruptedException {
    awaitRecorded(registry, "grpc.server.calls", count);
  }

  private long totalServerCalls() {
    return recorded(registry, "grpc.server.calls");
  }

  /** Waits until the timers named {@code name} have recorded {@code count} in total. */
  private static void awaitRecorded(MeterRegistry registry, String name, int count)
      throws InterruptedException {
    assertThat(CallTimers.await(registry.find(name), count, Duration.ofSeconds(10)))
        .isEqualTo(count);
  }

  private static long recorded(MeterRegistry registry, String name) {
    return CallTimers.count(registry.find(name));
  }

  @Test
  void okCallIsCountedAndTimedOnBothSides() throws InterruptedException {
    blocking().unaryRpc(request("a"));

    awaitServerCalls(1);
    assertThat(serverCalls(UNARY, Status.Code.OK)).isEqualTo(1);
    assertThat(clientCalls(UNARY, Status.Code.OK)).isEqualTo(1);
    assertThat(counter("grpc.server.calls.started", UNARY)).isEqualTo(1);
    assertThat(counter("grpc.client.calls.started", UNARY)).isEqualTo(1);
    assertThat(counter("grpc.server.messages.received", UNARY)).isEqualTo(1);
    assertThat(counter("grpc.server.messages.sent", UNARY)).isEqualTo(1);
    assertThat(counter("grpc.client.messages.sent", UNARY)).isEqualTo(1);
    assertThat(counter("grpc.client.messages.received", UNARY)).isEqualTo(1);
  }

  @Test
  void mappedErrorIsRecordedWithTheCodeTheCallerGot() throws InterruptedException {
    assertThatThrownBy(() -> blocking().unaryRpc(request("fail")))
        .isInstanceOf(StatusRuntimeException.class);

    awaitServerCalls(1);
    assertThat(serverCalls(UNARY, Status.Code.INTERNAL)).isEqualTo(1);
    assertThat(serverCalls(UNARY, Status.Code.UNKNOWN)).isZero();
    assertThat(clientCalls(UNARY, Status.Code.INTERNAL)).isEqualTo(1);
  }

  @Test
  void cancelIsRecordedOnceAsCancelled() throws Exception {
    SimpleServiceGrpc.SimpleServiceBlockingStub stub = blocking();
    Context.CancellableContext context = Context.current().withCancellation();
    Iterator<SimpleResponse> responses =
        context.call(() -> stub.serverStreamingRpc(request("hang")));
    responses.next();
    context.cancel(null);

    awaitServerCalls(1);
    ends.await(1); // the cancel has gone through every part: a second record would be in by now
    assertThat(totalServerCalls()).isEqualTo(1);
    assertThat(serverCalls(SERVER_STREAMING, Status.Code.CANCELLED)).isEqualTo(1);
    // Nothing reads the cancelled stream: the client's onClose arrives on its own thread.
    awaitRecorded(registry, "grpc.client.calls", 1);
    assertThat(clientCalls(SERVER_STREAMING, Status.Code.CANCELLED)).isEqualTo(1);
    assertThat(counter("grpc.server.messages.sent", SERVER_STREAMING)).isEqualTo(1);
  }

  @Test
  void deadlineIsRecordedOnceAsDeadlineExceeded() throws Exception {
    SimpleServiceGrpc.SimpleServiceBlockingStub stub = blocking();
    stub.unaryRpc(request("warm up"));
    awaitServerCalls(1);
    ends.await(1);
    assertThatThrownBy(
            () -> stub.withDeadlineAfter(200, TimeUnit.MILLISECONDS).unaryRpc(request("sleep")))
        .isInstanceOf(StatusRuntimeException.class);

    awaitServerCalls(2);
    service.awaitSleepAnswered(); // the handler woke up and answered into the cancelled call
    ends.await(1);
    assertThat(totalServerCalls()).isEqualTo(2);
    assertThat(serverCalls(UNARY, Status.Code.DEADLINE_EXCEEDED)).isEqualTo(1);
    assertThat(serverCalls(UNARY, Status.Code.OK)).isEqualTo(1);
    assertThat(clientCalls(UNARY, Status.Code.DEADLINE_EXCEEDED)).isEqualTo(1);
  }

  @Test
  void a66NamesAndAttempts() throws InterruptedException {
    MeterRegistry a66 = new SimpleMeterRegistry();
    ObservedService.Ends a66Ends = new ObservedService.Ends();
    grpc.register(
        startServer(
            InProcessServerBuilder.forName("a66-metrics")
                .addService(
                    ServerInterceptors.intercept(
                        new ObservedService(),
                        GrpcMetrics.serverBuilder(a66)
                            .naming(GrpcMetrics.Naming.A66)
                            .percentileHistogram(true)
                            .build(),
                        a66Ends))));
    ManagedChannel channel =
        grpc.register(
            InProcessChannelBuilder.forName("a66-metrics")
                .intercept(GrpcMetrics.clientBuilder(a66).naming(GrpcMetrics.Naming.A66).build())
                .build());
    SimpleServiceGrpc.newBlockingStub(channel).unaryRpc(request("a"));

    assertThat(a66.get("grpc.client.attempt.started").tag("grpc.method", UNARY).counter().count())
        .isEqualTo(1);
    assertThat(a66.get("grpc.client.attempt.duration").tag("grpc.status", "OK").timer().count())
        .isEqualTo(1);
    assertThat(a66.get("grpc.client.call.duration").tag("grpc.status", "OK").timer().count())
        .isEqualTo(1);
    assertThat(a66.get("grpc.server.call.started").tag("grpc.method", UNARY).counter().count())
        .isEqualTo(1);
    // The timer is registered a moment before it records: wait for the count, not the timer.
    awaitRecorded(a66, "grpc.server.call.duration", 1);
    a66Ends.await(1);
    assertThat(a66.get("grpc.server.call.duration").tag("grpc.status", "OK").timer().count())
        .isEqualTo(1);
  }

  @Test
  void unknownMethodsAreCountedUnderOneTag() throws InterruptedException {
    MeterRegistry unknown = new SimpleMeterRegistry();
    grpc.register(
        startServer(
            ServerChain.install(
                InProcessServerBuilder.forName("unknown-metrics").addService(new ObservedService()),
                GrpcMetrics.serverBuilder(unknown).build())));
    ManagedChannel channel =
        grpc.register(InProcessChannelBuilder.forName("unknown-metrics").build());
    MethodDescriptor<SimpleRequest, SimpleResponse> bogus =
        SimpleServiceGrpc.getUnaryRpcMethod().toBuilder()
            .setFullMethodName("grpc.testing.SimpleService/Nope-${jndi:x}")
            .build();
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(
              () ->
                  ClientCalls.blockingUnaryCall(channel, bogus, CallOptions.DEFAULT, request("x")))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
    }
    SimpleServiceGrpc.newBlockingStub(channel).unaryRpc(request("a"));

    awaitRecorded(unknown, "grpc.server.calls", 4);
    assertThat(
            unknown
                .get("grpc.server.calls")
                .tag("grpc.method", GrpcMetrics.UNKNOWN_METHOD)
                .tag("grpc.status", "UNIMPLEMENTED")
                .timer()
                .count())
        .isEqualTo(3);
    assertThat(unknown.get("grpc.server.calls").tag("grpc.method", UNARY).timer().count())
        .isEqualTo(1);
    assertThat(unknown.find("grpc.server.calls.started").counters()).hasSize(2);
  }

  @Test
  void methodTagsAreBounded() throws InterruptedException {
    MeterRegistry bounded = new SimpleMeterRegistry();
    SimpleServiceGrpc.SimpleServiceBlockingStub stub =
        SimpleServiceGrpc.newBlockingStub(
            grpc.channel(GrpcMetrics.clientBuilder(bounded).maxMethods(1).build()));
    stub.unaryRpc(request("a"));
    stub.serverStreamingRpc(request("a")).forEachRemaining(r -> {});

    assertThat(bounded.get("grpc.client.calls.started").tag("grpc.method", UNARY).counter().count())
        .isEqualTo(1);
    assertThat(
            bounded.get("grpc.client.calls.started").tag("grpc.method", "other").counter().count())
        .isEqualTo(1);
  }

  @Test
  void builderRejectsZeroMaxMethods() {
    assertThatThrownBy(() -> GrpcMetrics.serverBuilder(registry).maxMethods(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxMethods: 0 (expected: >= 1)");
  }

  private static Server startServer(InProcessServerBuilder builder) {
    try {
      return builder.build().start();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
