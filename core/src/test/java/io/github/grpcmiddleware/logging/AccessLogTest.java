package io.github.grpcmiddleware.logging;

import static io.github.grpcmiddleware.testsupport.ObservedService.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.github.grpcmiddleware.testsupport.ObservedService;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;

class AccessLogTest {
  private static final Duration LOG_TIMEOUT = Duration.ofSeconds(5);

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

  @RegisterExtension
  final LogCapture server = LogCapture.forLogger(AccessLog.SERVER_LOGGER_NAME).atLevel("INFO");

  @RegisterExtension
  final LogCapture client = LogCapture.forLogger(AccessLog.CLIENT_LOGGER_NAME).atLevel("INFO");

  @RegisterExtension final LogCapture slow = LogCapture.forLogger("test.slow").atLevel("INFO");

  @RegisterExtension
  final LogCapture filtered = LogCapture.forLogger("test.filtered").atLevel("INFO");

  @AfterEach
  void release() throws InterruptedException {
    // Runs before the captures detach: a server line written late would land in the next test.
    ends.awaitAllEnded();
  }

  private SimpleServiceGrpc.SimpleServiceBlockingStub blocking() {
    return SimpleServiceGrpc.newBlockingStub(grpc.channel(AccessLog.clientBuilder().build()));
  }

  @Test
  void okUnaryLineHasEveryField() throws InterruptedException {
    blocking().unaryRpc(request("bob"));

    LoggedEvent line = server.awaitEvents(1, LOG_TIMEOUT).get(0);
    assertThat(line.level()).isEqualTo("INFO");
    Map<String, Object> kv = line.keyValues();
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
    assertThat(line.message())
        .startsWith("server " + UNARY + " UNARY OK ")
        .contains("principal=alice received=1 sent=1 userAgent=grpc-java-inprocess")
        .doesNotContain("bob");

    LoggedEvent clientLine = client.awaitEvents(1, LOG_TIMEOUT).get(0);
    assertThat(clientLine.keyValues())
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

    LoggedEvent line = server.awaitEvents(1, LOG_TIMEOUT).get(0);
    assertThat(line.level()).isEqualTo("WARN");
    assertThat(line.keyValues())
        .containsEntry("grpc.code", Status.Code.INTERNAL)
        .containsEntry("messagesSent", 0);
    assertThat(line.message()).doesNotContain("secret");
    assertThat(line.throwable()).isNull();
    assertThat(client.awaitEvents(1, LOG_TIMEOUT).get(0).level()).isEqualTo("WARN");
  }

  @Test
  void clientDeadlineOnSleepingHandlerIsLoggedOnceAsDeadlineExceeded() throws Exception {
    SimpleServiceGrpc.SimpleServiceBlockingStub stub = blocking();
    stub.unaryRpc(request("warm up")); // so the deadline below expires in the handler
    server.awaitEvents(1, LOG_TIMEOUT);
    client.awaitEvents(1, LOG_TIMEOUT);
    ends.await(1);
    server.clear();
    client.clear();
    assertThatThrownBy(
            () -> stub.withDeadlineAfter(200, TimeUnit.MILLISECONDS).unaryRpc(request("sleep")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

    assertThat(client.awaitEvents(1, LOG_TIMEOUT).get(0).keyValues())
        .containsEntry("grpc.code", Status.Code.DEADLINE_EXCEEDED);
    LoggedEvent line = server.awaitEvents(1, LOG_TIMEOUT).get(0);
    assertThat(line.keyValues()).containsEntry("grpc.code", Status.Code.DEADLINE_EXCEEDED);
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

    LoggedEvent line = server.awaitEvents(1, LOG_TIMEOUT).get(0);
    assertThat(line.keyValues())
        .containsEntry("grpc.code", Status.Code.CANCELLED)
        .containsEntry("grpc.kind", io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
        .containsEntry("messagesSent", 1);
    assertThat(client.awaitEvents(1, LOG_TIMEOUT).get(0).keyValues())
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

    List<LoggedEvent> lines = server.awaitEvents(3, LOG_TIMEOUT);
    List<String> summaries = new ArrayList<>();
    for (LoggedEvent line : lines) {
      Map<String, Object> kv = line.keyValues();
      summaries.add(
          kv.get("grpc.kind") + " " + kv.get("messagesReceived") + "/" + kv.get("messagesSent"));
    }
    assertThat(summaries)
        .containsExactlyInAnyOrder(
            "SERVER_STREAMING 1/3", "CLIENT_STREAMING 3/1", "BIDI_STREAMING 3/3");
  }

  @Test
  void slowCallsAreRaisedToTheSlowLevelAndMarked() throws InterruptedException {
    SimpleServiceGrpc.SimpleServiceBlockingStub stub =
        SimpleServiceGrpc.newBlockingStub(
            grpc.channel(
                AccessLog.clientBuilder()
                    .logger(org.slf4j.LoggerFactory.getLogger("test.slow"))
                    .slowCallThreshold(Duration.ofMillis(200))
                    .build()));
    stub.unaryRpc(request("quick"));
    stub.unaryRpc(request("sleep"));

    List<LoggedEvent> lines = slow.awaitEvents(2, LOG_TIMEOUT);
    assertThat(lines.get(0).level()).isEqualTo("INFO");
    assertThat(lines.get(0).keyValues()).doesNotContainKey("slow");
    assertThat(lines.get(1).level()).isEqualTo("WARN");
    assertThat(lines.get(1).keyValues()).containsEntry("slow", true);
    assertThat(lines.get(1).message()).endsWith(" slow");
  }

  @Test
  void filteredMethodsAndNullLevelsAreNotLogged() throws InterruptedException {
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

    List<LoggedEvent> lines = filtered.awaitEvents(1, LOG_TIMEOUT);
    assertThat(lines.get(0).keyValues()).containsEntry("grpc.code", Status.Code.INTERNAL);
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
