package io.github.grpcmiddleware.logging;

import static io.github.grpcmiddleware.testsupport.ObservedService.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.github.grpcmiddleware.testsupport.ObservedService;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A logger that can write nothing makes the access log step aside per call, with the real error
 * mapping inside it, and turning the logger on again brings the lines back.
 */
class AccessLogOffTest {
  private static final Duration LOG_TIMEOUT = Duration.ofSeconds(5);

  /** Whether each call reached the inner interceptors with a call scope in its Context. */
  private final List<Boolean> callInfoSeen = new CopyOnWriteArrayList<>();

  @RegisterExtension
  final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new ObservedService())
          .interceptor(
              AccessLog.serverBuilder().build(),
              new CallInfoProbe(),
              ErrorMapping.serverBuilder().build())
          .build();

  @RegisterExtension
  final LogCapture server = LogCapture.forLogger(AccessLog.SERVER_LOGGER_NAME).atLevel("INFO");

  @RegisterExtension
  final LogCapture client = LogCapture.forLogger(AccessLog.CLIENT_LOGGER_NAME).atLevel("INFO");

  @RegisterExtension
  final LogCapture errorsOnly = LogCapture.forLogger("test.errorsOnly").atLevel("ERROR");

  @Test
  void offLoggerLeavesEveryKindOfCallAloneAndOnAgainLogsThem() throws Exception {
    server.setLevel("OFF");
    client.setLevel("OFF");
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

    server.setLevel("INFO");
    client.setLevel("INFO");
    callInfoSeen.clear();
    assertThat(stub.unaryRpc(request("b")).getResponseMessage()).isEqualTo("hello b");
    assertMappedToInternal(stub);

    assertThat(callInfoSeen).containsExactly(true, true);
    List<LoggedEvent> lines = server.awaitEvents(2, LOG_TIMEOUT);
    assertThat(lines)
        .extracting(line -> line.keyValues().get("grpc.code"))
        .containsExactlyInAnyOrder(Status.Code.OK, Status.Code.INTERNAL);
    // Error mapping recorded what it mapped in the scope the access log opened.
    assertThat(lines)
        .extracting(LoggedEvent::message)
        .anySatisfy(
            line ->
                assertThat(line)
                    .endsWith(" error=" + IllegalStateException.class.getName() + " deadline=-"));
    assertThat(client.awaitEvents(2, LOG_TIMEOUT))
        .extracting(line -> line.keyValues().get("grpc.code"))
        .containsExactlyInAnyOrder(Status.Code.OK, Status.Code.INTERNAL);
  }

  @Test
  void loggerBelowEveryConfiguredLevelIsSkippedUntilALevelIsEnabled() throws Exception {
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

    List<LoggedEvent> lines = errorsOnly.awaitEvents(1, LOG_TIMEOUT);
    assertThat(lines.get(0).level()).isEqualTo("ERROR");
    assertThat(lines.get(0).keyValues()).containsEntry("grpc.code", Status.Code.INTERNAL);
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
