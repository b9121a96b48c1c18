package io.github.grpcmiddleware.examples;

import static io.github.grpcmiddleware.testing.GrpcAssertions.assertThatCall;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.examples.proto.UserRequest;
import io.github.grpcmiddleware.examples.proto.UserServiceGrpc;
import io.github.grpcmiddleware.otel.testsupport.InMemoryOtel;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The example server with OpenTelemetry in the tracing slot: the span owns the trace id. */
class OtelChainTest {
  private static final String TRACE_ID = "5b8efff798038103d269b633813fc60c";

  @RegisterExtension
  final LogCapture logs = LogCapture.forLogger("io.github.grpcmiddleware.examples");

  private final InMemoryOtel otel = InMemoryOtel.traceContext();
  private final OpenTelemetrySdk sdk = otel.sdk();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    server = ExampleServer.start("127.0.0.1", 0, "otel-token", new SimpleMeterRegistry(), sdk);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    otel.close();
  }

  @Test
  void spanTraceIdIsTheCallsTraceIdInTrailersLogsAndExport() {
    Metadata headers = new Metadata();
    headers.put(key("authorization"), "Bearer otel-token");
    headers.put(key("traceparent"), "00-" + TRACE_ID + "-eee19b7ec3c1b174-01");
    UserServiceGrpc.UserServiceBlockingStub stub =
        UserServiceGrpc.newBlockingStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
            .withDeadlineAfter(10, TimeUnit.SECONDS);

    assertThatCall(() -> stub.getUser(UserRequest.newBuilder().setId(404).build()))
        .failsWith(Status.Code.NOT_FOUND)
        .withTrailer("x-trace-id", TRACE_ID)
        .withLocalizedMessage("en", "User 404 does not exist.");

    LoggedEvent handlerLine =
        logs.await(e -> e.message().equals("GetUser 404"), Duration.ofSeconds(10));
    assertThat(handlerLine.mdc()).containsEntry("traceId", TRACE_ID);

    SpanData span = awaitServerSpan();
    assertThat(span.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(span.getName()).isEqualTo("example.UserService/GetUser");
    assertThat(handlerLine.mdc()).containsEntry("spanId", span.getSpanId());
  }

  private SpanData awaitServerSpan() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      for (SpanData span : otel.spans()) {
        if (span.getKind() == SpanKind.SERVER) {
          return span;
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // leave the cores to the server
    }
    throw new AssertionError("no server span exported: " + otel.spans());
  }

  private static Metadata.Key<String> key(String name) {
    return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
  }
}
