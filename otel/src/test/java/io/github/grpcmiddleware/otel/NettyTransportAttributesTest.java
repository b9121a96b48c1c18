package io.github.grpcmiddleware.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.logging.AccessLog;
import io.github.grpcmiddleware.otel.testsupport.InMemoryOtel;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.github.grpcmiddleware.testsupport.Rpcs;
import io.grpc.Status;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Address and port attributes and the access log's peer over a real Netty transport. */
class NettyTransportAttributesTest {
  private static final AttributeKey<String> SERVER_ADDRESS =
      AttributeKey.stringKey("server.address");
  private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  private static final AttributeKey<String> PEER_ADDRESS =
      AttributeKey.stringKey("network.peer.address");
  private static final AttributeKey<Long> PEER_PORT = AttributeKey.longKey("network.peer.port");

  @RegisterExtension final InMemoryOtel otel = InMemoryOtel.traceContext();
  private final OpenTelemetry sdk = otel.sdk();

  @RegisterExtension
  final LogCapture accessLog = LogCapture.forLogger(AccessLog.SERVER_LOGGER_NAME);

  @RegisterExtension
  final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .netty()
          .service(new RecordingService())
          .interceptor(GrpcTracing.newServerInterceptor(sdk), AccessLog.serverBuilder().build())
          .build();

  @Test
  void spansAndTheAccessLogNameTheRealAddressesAndPorts() throws Exception {
    for (Rpcs kind : Rpcs.values()) {
      otel.reset();
      accessLog.clear();

      assertThat(kind.status(grpc.channel(GrpcTracing.newClientInterceptor(sdk))))
          .extracting(Status::getCode)
          .isEqualTo(Status.Code.OK);

      List<SpanData> spans = otel.awaitSpans(2);
      SpanData server = ofKind(spans, SpanKind.SERVER);
      SpanData client = ofKind(spans, SpanKind.CLIENT);
      long port = grpc.port();
      assertThat(server.getAttributes().get(SERVER_ADDRESS)).isEqualTo("127.0.0.1");
      assertThat(server.getAttributes().get(SERVER_PORT)).isEqualTo(port);
      assertThat(server.getAttributes().get(PEER_ADDRESS)).isEqualTo("127.0.0.1");
      Long peerPort = server.getAttributes().get(PEER_PORT);
      assertThat(peerPort).isNotNull().isPositive().isNotEqualTo(port);
      assertThat(client.getAttributes().get(SERVER_ADDRESS)).isEqualTo("127.0.0.1");
      assertThat(client.getAttributes().get(SERVER_PORT)).isEqualTo(port);

      LoggedEvent line =
          accessLog.await(e -> e.message().contains(" peer="), Duration.ofSeconds(5));
      assertThat(line.message())
          .as(kind.name())
          .contains(" peer=/127.0.0.1:" + peerPort + " ")
          .contains(" traceId=" + server.getTraceId() + " ");
    }
  }

  private static SpanData ofKind(List<SpanData> spans, SpanKind kind) {
    return spans.stream()
        .filter(s -> s.getKind() == kind)
        .findFirst()
        .orElseThrow(() -> new AssertionError(kind + " span: " + spans));
  }
}
