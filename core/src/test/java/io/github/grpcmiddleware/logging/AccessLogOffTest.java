package io.github.grpcmiddleware.logging;

import static io.github.grpcmiddleware.logging.ObservedService.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A logger that can write nothing makes the access log step aside per call, with the real error
 * mapping inside it, and turning the logger on again brings the lines back.
 */
class AccessLogOffTest {

  /** Whether each call reached the inner interceptors with a call scope in its Context. */
  private final List<Boolean> callInfoSeen = new CopyOnWriteArrayList<>();

  @RegisterExtension
  final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new ObservedService())
          .interceptor(
              AccessLog.serverBuilder().build(),
              new CallInfoProbe(),
              ErrorMapping.builder().build())
          .build();

  private LogCapture server;
  private LogCapture client;

  @BeforeEach
  void capture() {
    server = new LogCapture(AccessLog.SERVER_LOGGER_NAME);
    client = new LogCapture(AccessLog.CLIENT_LOGGER_NAME);
  }

  @AfterEach
  void release() {
    server.close();
    client.close();
  }

  @Test
  void offLoggerLeavesEveryKindOfCallAloneAndOnAgainLogsThem() throws Exception {
    server.setLevel(Level.OFF);
    client.setLevel(Level.OFF);
    SimpleServiceGrpc.SimpleServiceBlockingStub stub =
        SimpleServiceGrpc.newBlockingStub(grpc.channel(AccessLog.clientBuilder().build()));
    SimpleServiceGrpc.SimpleServiceStub async =
        SimpleServiceGrpc.newStub(grpc.channel(AccessLog.clientBuilder().build()));

    assertThat(stub.unaryRpc(request("a")).getResponseMessage()).isEqualTo("hello a");
    assertMappedToInternal(stub);
    assertThat(stub.serverStreamingRpc(request("x"))).toIterable().hasSize(3);
    AccessLogTest.sendThree(async::clientStreamingRpc);
    AccessLogTest.sendThree(async::bidiStreamingRpc);

    assertThat(callInfoSeen).hasSize(5).containsOnly(false);
    assertThat(server.events()).isEmpty();
    assertThat(client.events()).isEmpty();

    server.setLevel(Level.INFO);
    client.setLevel(Level.INFO);
    callInfoSeen.clear();
    assertThat(stub.unaryRpc(request("b")).getResponseMessage()).isEqualTo("hello b");
    assertMappedToInternal(stub);

    assertThat(callInfoSeen).containsExactly(true, true);
    List<ILoggingEvent> lines = server.await(2);
    assertThat(lines)
        .extracting(line -> LogCapture.keyValues(line).get("grpc.code"))
        .containsExactlyInAnyOrder(Status.Code.OK, Status.Code.INTERNAL);
    // Error mapping recorded what it mapped in the scope the access log opened.
    assertThat(lines)
        .extracting(ILoggingEvent::getFormattedMessage)
        .anySatisfy(
            line -> assertThat(line).endsWith(" error=" + IllegalStateException.class.getName()));
    assertThat(client.await(2))
        .extracting(line -> LogCapture.keyValues(line).get("grpc.code"))
        .containsExactlyInAnyOrder(Status.Code.OK, Status.Code.INTERNAL);
  }

  @Test
  void loggerBelowEveryConfiguredLevelIsSkippedUntilALevelIsEnabled() throws Exception {
    try (LogCapture errorsOnly = new LogCapture("test.errorsOnly")) {
      errorsOnly.setLevel(Level.ERROR);
      SimpleServiceGrpc.SimpleServiceBlockingStub defaults =
          SimpleServiceGrpc.newBlockingStub(
              grpc.channel(
                  AccessLog.clientBuilder()
                      .logger(org.slf4j.LoggerFactory.getLogger("test.errorsOnly"))
                      .build()));
      SimpleServiceGrpc.SimpleServiceBlockingStub internalAtError =
          SimpleServiceGrpc.newBlockingStub(
              grpc.channel(
                  AccessLog.clientBuilder()
                      .logger(org.slf4j.LoggerFactory.getLogger("test.errorsOnly"))
                      .level(Status.Code.INTERNAL, org.slf4j.event.Level.ERROR)
                      .build()));

      // Defaults log at INFO and WARN only: nothing to write at ERROR.
      defaults.unaryRpc(request("a"));
      assertMappedToInternal(defaults);
      internalAtError.unaryRpc(request("b"));
      assertMappedToInternal(internalAtError);

      List<ILoggingEvent> lines = errorsOnly.await(1);
      assertThat(lines.get(0).getLevel()).isEqualTo(Level.ERROR);
      assertThat(LogCapture.keyValues(lines.get(0)))
          .containsEntry("grpc.code", Status.Code.INTERNAL);
    }
  }

  private static void assertMappedToInternal(SimpleServiceGrpc.SimpleServiceBlockingStub stub) {
    assertThatThrownBy(() -> stub.unaryRpc(request("fail")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
              assertThat(e.getStatus().getDescription()).doesNotContain("secret");
            });
  }

  private final class CallInfoProbe implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      callInfoSeen.add(ServerCallScope.current() != null);
      return next.startCall(call, headers);
    }
  }
}
