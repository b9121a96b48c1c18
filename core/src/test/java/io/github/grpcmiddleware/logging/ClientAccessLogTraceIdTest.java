package io.github.grpcmiddleware.logging;

import static io.github.grpcmiddleware.testsupport.ObservedService.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.chain.ClientChain;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.github.grpcmiddleware.testsupport.ObservedService;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The client access-log line carries the trace id the call sent, for a call made outside any server
 * call, whatever order the trace part and the access log run in.
 */
class ClientAccessLogTraceIdTest {
  private static final Duration LOG_TIMEOUT = Duration.ofSeconds(5);
  private static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);

  /** Records the traceparent of every call the server receives. */
  static final class TraceparentCapture implements ServerInterceptor {
    final BlockingDeque<String> received = new LinkedBlockingDeque<>();

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      received.add(String.valueOf(headers.get(TRACEPARENT)));
      return next.startCall(call, headers);
    }
  }

  static final TraceparentCapture capture = new TraceparentCapture();

  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new ObservedService())
          .interceptor(TraceIds.newServerInterceptor(), capture)
          .build();

  @RegisterExtension
  final LogCapture client = LogCapture.forLogger(AccessLog.CLIENT_LOGGER_NAME).atLevel("INFO");

  @BeforeEach
  void start() {
    capture.received.clear();
  }

  static Stream<Arguments> orders() {
    Function<ClientInterceptor, Channel> chain =
        accessLog ->
            grpc.channel(
                ClientChain.builder()
                    .observability(accessLog)
                    .tracing(TraceIds.newClientInterceptor())
                    .build());
    Function<ClientInterceptor, Channel> chainApplication =
        accessLog ->
            grpc.channel(
                ClientChain.builder()
                    .application(accessLog)
                    .tracing(TraceIds.newClientInterceptor())
                    .build());
    Function<ClientInterceptor, Channel> accessLogFirst =
        accessLog -> grpc.channel(accessLog, TraceIds.newClientInterceptor());
    Function<ClientInterceptor, Channel> traceFirst =
        accessLog -> grpc.channel(TraceIds.newClientInterceptor(), accessLog);
    return Stream.of(
        Arguments.of("ClientChain, access log in observability", chain),
        Arguments.of("ClientChain, access log as an application part", chainApplication),
        Arguments.of("channel: access log outside the trace part", accessLogFirst),
        Arguments.of("channel: access log inside the trace part", traceFirst));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("orders")
  void lineCarriesTheTraceIdTheCallSent(String name, Function<ClientInterceptor, Channel> channel)
      throws InterruptedException {
    Channel ch = channel.apply(AccessLog.clientBuilder().build());
    SimpleServiceGrpc.newBlockingStub(ch).unaryRpc(request("bob"));

    String traceparent = Objects.requireNonNull(capture.received.poll());
    assertThat(traceparent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    String sent = traceparent.substring(3, 35);
    LoggedEvent line = client.awaitEvents(1, LOG_TIMEOUT).get(0);
    assertThat(line.message()).contains(" traceId=" + sent + " ");
    assertThat(line.keyValues()).containsEntry("traceId", sent);
  }

  @Test
  void withoutATracePartTheLineSaysDash() throws InterruptedException {
    SimpleServiceGrpc.newBlockingStub(grpc.channel(AccessLog.clientBuilder().build()))
        .unaryRpc(request("bob"));

    assertThat(capture.received.poll()).isEqualTo("null");
    LoggedEvent line = client.awaitEvents(1, LOG_TIMEOUT).get(0);
    assertThat(line.message()).contains(" traceId=- ");
    assertThat(line.keyValues()).doesNotContainKey("traceId");
  }
}
