package com.example.greeter;

import static io.github.grpcmiddleware.testing.GrpcAssertions.assertThatCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.example.greeter.proto.GreeterGrpc;
import com.example.greeter.proto.HelloRequest;
import io.github.grpcmiddleware.i18n.Locales;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.github.grpcmiddleware.testing.TestCredentials;
import io.grpc.Status;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Greeter behind its real chain, in process, with the testing helpers. */
class GreeterServiceTest {
  // [START standalone_test]
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @RegisterExtension // a fresh in-process server for each test, shut down afterwards
  final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new GreeterService())
          .interceptor(GreeterServer.chain("test-token", registry))
          .build();

  @RegisterExtension final LogCapture greeterLog = LogCapture.forLogger(GreeterService.class);

  @RegisterExtension
  final LogCapture accessLog = LogCapture.forLogger("io.github.grpcmiddleware.access.server");

  @Test
  void greetsWithTheTraceIdInTheMdc() {
    GreeterGrpc.GreeterBlockingStub stub =
        grpc.stub(GreeterGrpc::newBlockingStub)
            .withCallCredentials(TestCredentials.bearer("test-token"));

    String reply = stub.sayHello(HelloRequest.newBuilder().setName("Ada").build()).getMessage();

    assertEquals("Hello, Ada!", reply);
    LoggedEvent line = greeterLog.await(e -> e.message().equals("greeting Ada"), TIMEOUT);
    assertTrue(line.mdc().get("traceId").matches("[0-9a-f]{32}"), line.toString());
    assertEquals("greeter-user", line.mdc().get("principal"));
    accessLog.await(e -> e.message().contains("greeter.Greeter/SayHello UNARY OK"), TIMEOUT);
  }

  @Test
  void answersAnEmptyNameInTheCallersLanguage() {
    GreeterGrpc.GreeterBlockingStub stub =
        grpc.stub(
                GreeterGrpc::newBlockingStub,
                Locales.clientBuilder().locale(() -> Locale.SIMPLIFIED_CHINESE).build())
            .withCallCredentials(TestCredentials.bearer("test-token"));

    assertThatCall(() -> stub.sayHello(HelloRequest.getDefaultInstance()))
        .failsWith(Status.Code.INVALID_ARGUMENT)
        .withDescription("请告诉我们你的名字。")
        .withLocalizedMessage("zh-CN", "请告诉我们你的名字。")
        .withFieldViolation("name", "must not be empty")
        .withTrailerMatching("x-trace-id", "[0-9a-f]{32}");
  }

  @Test
  void refusesAWrongToken() {
    GreeterGrpc.GreeterBlockingStub stub =
        grpc.stub(GreeterGrpc::newBlockingStub)
            .withCallCredentials(TestCredentials.bearer("guessed"));

    assertThatCall(() -> stub.sayHello(HelloRequest.newBuilder().setName("Eve").build()))
        .failsWith(Status.Code.UNAUTHENTICATED)
        .withoutTextAnywhere("guessed");
  }

  // [END standalone_test]

  @Test
  void countsEveryCallInTheMetrics() {
    GreeterGrpc.GreeterBlockingStub stub = grpc.stub(GreeterGrpc::newBlockingStub);

    assertThatCall(() -> stub.sayHello(HelloRequest.newBuilder().setName("Bob").build()))
        .failsWith(Status.Code.UNAUTHENTICATED);

    // The server records a call when it ends there, which can be after the client has its answer.
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    Timer timer = null;
    while (timer == null && System.nanoTime() < deadline) {
      timer =
          registry
              .find("grpc.server.calls")
              .tag("grpc.method", "greeter.Greeter/SayHello")
              .tag("grpc.status", "UNAUTHENTICATED")
              .timer();
      if (timer == null || timer.count() == 0) {
        timer = null;
        LockSupport.parkNanos(1_000_000);
      }
    }
    assertNotNull(timer, "grpc.server.calls for UNAUTHENTICATED within " + TIMEOUT);
    assertEquals(1, timer.count());
  }

  @Test
  void theClientReportsTheLocalizedError() {
    String answer =
        GreeterClient.greet(
            GreeterGrpc.newBlockingStub(grpc.channel()), "test-token", "x".repeat(41));

    assertTrue(
        answer.startsWith(
            "INVALID_ARGUMENT: A name has at most 40 characters, this one has 41. (trace "),
        answer);
  }
}
