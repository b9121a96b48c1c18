package io.github.grpcmiddleware.logging;

import static io.github.grpcmiddleware.logging.ObservedService.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;

class AccessLogTest {

  private static final String UNARY = "grpc.testing.SimpleService/UnaryRpc";

  private final ObservedService service = new ObservedService();
  private final ObservedService.Ends ends = new ObservedService.Ends();

  @RegisterExtension
  final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(service)
          .interceptor(
              ends,
              AccessLog.serverBuilder().build(),
              new ObservedService.FakeErrorMapping(),
              new ObservedService.FakeAuth())
          .build();

  private LogCapture server;
  private LogCapture client;

  @BeforeEach
  void capture() {
    server = new LogCapture(AccessLog.SERVER_LOGGER_NAME);
    client = new LogCapture(AccessLog.CLIENT_LOGGER_NAME);
  }

  @AfterEach
  void release() throws InterruptedException {
    try {
      ends.awaitAllEnded(); // a server line written late would land in the next test's capture
    } finally {
      server.close();
      client.close();
    }
  }

  private SimpleServiceGrpc.SimpleServiceBlockingStub blocking() {
    return SimpleServiceGrpc.newBlockingStub(grpc.channel(AccessLog.clientBuilder().build()));
  }

  @Test
  void okUnaryLineHasEveryField() throws InterruptedException {
    blocking().unaryRpc(request("bob"));

    ILoggingEvent line = server.await(1).get(0);
    assertThat(line.getLevel()).isEqualTo(Level.INFO);
    Map<String, Object> kv = LogCapture.keyValues(line);
    assertThat(kv)
        .containsEntry("grpc.side", "server")
        .containsEntry("grpc.method", UNARY)
        .containsEntry("grpc.kind", io.grpc.MethodDescriptor.MethodType.UNARY)
        .containsEntry("grpc.code", Status.Code.OK)
        .containsEntry("principal", "alice")
        .containsEntry("messagesReceived", 1)
        .containsEntry("messagesSent", 1)
        .containsKey("durationMs")
        .containsKey("peer")
        .doesNotContainKey("traceId")
        .doesNotContainKey("slow");
    assertThat((String) kv.get("userAgent")).startsWith("grpc-java-inprocess");
    assertThat(line.getFormattedMessage())
        .startsWith("server " + UNARY + " UNARY OK ")
        .contains("principal=alice received=1 sent=1 userAgent=grpc-java-inprocess")
        .doesNotContain("bob");

    ILoggingEvent clientLine = client.await(1).get(0);
    assertThat(LogCapture.keyValues(clientLine))
        .containsEntry("grpc.side", "client")
        .containsEntry("grpc.code", Status.Code.OK)
        .containsEntry("messagesReceived", 1)
        .containsEntry("messagesSent", 1)
        .doesNotContainKey("principal");
  }

  @Test
  void mappedErrorIsLoggedWithTheFinalCodeAtWarnWithoutItsText() throws InterruptedException {
    assertThatThrownBy(() -> blocking().unaryRpc(request("fail")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL));

    ILoggingEvent line = server.await(1).get(0);
    assertThat(line.getLevel()).isEqualTo(Level.WARN);
    assertThat(LogCapture.keyValues(line))
        .containsEntry("grpc.code", Status.Code.INTERNAL)
        .containsEntry("messagesSent", 0);
    assertThat(line.getFormattedMessage()).doesNotContain("secret");
    assertThat(line.getThrowableProxy()).isNull();
    assertThat(client.await(1).get(0).getLevel()).isEqualTo(Level.WARN);
  }

  @Test
  void clientDeadlineOnSleepingHandlerIsLoggedOnceAsDeadlineExceeded() throws Exception {
    SimpleServiceGrpc.SimpleServiceBlockingStub stub = blocking();
    stub.unaryRpc(request("warm up")); // so the deadline below expires in the handler
    server.await(1);
    client.await(1);
    ends.await(1);
    server.clear();
    client.clear();
    assertThatThrownBy(
            () -> stub.withDeadlineAfter(200, TimeUnit.MILLISECONDS).unaryRpc(request("sleep")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

    assertThat(LogCapture.keyValues(client.await(1).get(0)))
        .containsEntry("grpc.code", Status.Code.DEADLINE_EXCEEDED);
    ILoggingEvent line = server.await(1).get(0);
    assertThat(LogCapture.keyValues(line))
        .containsEntry("grpc.code", Status.Code.DEADLINE_EXCEEDED);
    service.awaitSleepAnswered(); // the handler woke up and answered into the cancelled call
    ends.await(1);
    assertThat(server.events()).hasSize(1);
  }

  @Test
  void cancelAfterFirstResponseIsLoggedOnceAsCancelled() throws Exception {
    SimpleServiceGrpc.SimpleServiceBlockingStub stub = blocking();
    Context.CancellableContext context = Context.current().withCancellation();
    Iterator<SimpleResponse> responses =
        context.call(() -> stub.serverStreamingRpc(request("hang")));
    assertThat(responses.next().getResponseMessage()).isEqualTo("one");
    context.cancel(null);

    ILoggingEvent line = server.await(1).get(0);
    assertThat(LogCapture.keyValues(line))
        .containsEntry("grpc.code", Status.Code.CANCELLED)
        .containsEntry("grpc.kind", io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
        .containsEntry("messagesSent", 1);
    assertThat(LogCapture.keyValues(client.await(1).get(0)))
        .containsEntry("grpc.code", Status.Code.CANCELLED)
        .containsEntry("messagesReceived", 1);
  }

  @Test
  void streamingKindsCountMessages() throws Exception {
    SimpleServiceGrpc.SimpleServiceStub async =
        SimpleServiceGrpc.newStub(grpc.channel(AccessLog.clientBuilder().build()));
    Iterator<SimpleResponse> three = blocking().serverStreamingRpc(request("x"));
    three.forEachRemaining(r -> {});
    sendThree(async::clientStreamingRpc);
    sendThree(async::bidiStreamingRpc);

    List<ILoggingEvent> lines = server.await(3);
    List<String> summaries = new ArrayList<>();
    for (ILoggingEvent line : lines) {
      Map<String, Object> kv = LogCapture.keyValues(line);
      summaries.add(
          kv.get("grpc.kind") + " " + kv.get("messagesReceived") + "/" + kv.get("messagesSent"));
    }
    assertThat(summaries)
        .containsExactlyInAnyOrder(
            "SERVER_STREAMING 1/3", "CLIENT_STREAMING 3/1", "BIDI_STREAMING 3/3");
  }

  @Test
  void slowCallsAreRaisedToTheSlowLevelAndMarked() throws InterruptedException {
    try (LogCapture slow = new LogCapture("test.slow")) {
      SimpleServiceGrpc.SimpleServiceBlockingStub stub =
          SimpleServiceGrpc.newBlockingStub(
              grpc.channel(
                  AccessLog.clientBuilder()
                      .logger(org.slf4j.LoggerFactory.getLogger("test.slow"))
                      .slowCallThreshold(Duration.ofMillis(200))
                      .build()));
      stub.unaryRpc(request("quick"));
      stub.unaryRpc(request("sleep"));

      List<ILoggingEvent> lines = slow.await(2);
      assertThat(lines.get(0).getLevel()).isEqualTo(Level.INFO);
      assertThat(LogCapture.keyValues(lines.get(0))).doesNotContainKey("slow");
      assertThat(lines.get(1).getLevel()).isEqualTo(Level.WARN);
      assertThat(LogCapture.keyValues(lines.get(1))).containsEntry("slow", true);
      assertThat(lines.get(1).getFormattedMessage()).endsWith(" slow");
    }
  }

  @Test
  void filteredMethodsAndNullLevelsAreNotLogged() throws InterruptedException {
    try (LogCapture filtered = new LogCapture("test.filtered")) {
      Logger logger = org.slf4j.LoggerFactory.getLogger("test.filtered");
      SimpleServiceGrpc.SimpleServiceBlockingStub stub =
          SimpleServiceGrpc.newBlockingStub(
              grpc.channel(
                  AccessLog.clientBuilder()
                      .logger(logger)
                      .exclude(MethodSelector.of("grpc.testing.SimpleService/ServerStreamingRpc"))
                      .level(Status.Code.OK, null)
                      .build()));
      stub.serverStreamingRpc(request("x")).forEachRemaining(r -> {});
      stub.unaryRpc(request("ok"));
      assertThatThrownBy(() -> stub.unaryRpc(request("fail")));

      List<ILoggingEvent> lines = filtered.await(1);
      assertThat(LogCapture.keyValues(lines.get(0)))
          .containsEntry("grpc.code", Status.Code.INTERNAL);
    }
  }

  @Test
  void disabledLevelBuildsNothing() {
    List<String> calls = new ArrayList<>();
    Logger recording =
        (Logger)
            Proxy.newProxyInstance(
                Logger.class.getClassLoader(),
                new Class<?>[] {Logger.class},
                (proxy, method, args) -> {
                  calls.add(method.getName());
                  return method.getReturnType() == boolean.class ? false : null;
                });
    SimpleServiceGrpc.SimpleServiceBlockingStub stub =
        SimpleServiceGrpc.newBlockingStub(
            grpc.channel(AccessLog.clientBuilder().logger(recording).build()));
    stub.unaryRpc(request("ok"));
    assertThatThrownBy(() -> stub.unaryRpc(request("fail")));

    // Only level checks ran: no log call, so no argument array and no strings were built.
    assertThat(calls).isNotEmpty().allMatch(name -> name.matches("is[A-Z][a-z]+Enabled"));
  }

  @Test
  void builderRejectsNonPositiveThreshold() {
    assertThatThrownBy(() -> AccessLog.serverBuilder().slowCallThreshold(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("slowCallThreshold: PT0S (expected: > 0)");
  }

  /** Sends three requests on a client- or bidi-streaming call and waits for its end. */
  static void sendThree(
      java.util.function.Function<StreamObserver<SimpleResponse>, StreamObserver<SimpleRequest>>
          rpc)
      throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    StreamObserver<SimpleRequest> requests =
        rpc.apply(
            new StreamObserver<SimpleResponse>() {
              @Override
              public void onNext(SimpleResponse value) {}

              @Override
              public void onError(Throwable t) {
                done.countDown();
              }

              @Override
              public void onCompleted() {
                done.countDown();
              }
            });
    for (int i = 0; i < 3; i++) {
      requests.onNext(request("m" + i));
    }
    requests.onCompleted();
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
  }
}
