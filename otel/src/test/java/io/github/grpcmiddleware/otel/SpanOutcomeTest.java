package io.github.grpcmiddleware.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.grpcmiddleware.chain.ServerChain;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server span ends once, with the status the client received, also when grpc-java closes the call
 * itself (a request that does not decode): Netty on 127.0.0.1, chain installed with its stream
 * tracer.
 */
@SuppressWarnings("NullAway") // set by start()
class SpanOutcomeTest {

  private static final MethodDescriptor<byte[], byte[]> RAW_UNARY =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(SimpleServiceGrpc.getUnaryRpcMethod().getFullMethodName())
          .setRequestMarshaller(new Bytes())
          .setResponseMarshaller(new Bytes())
          .build();

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private Server server;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void anUndecodableRequestEndsTheSpanOnceWithTheClientsStatus() throws Exception {
    start(true);

    Status client = callRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});

    assertThat(client.getCode()).isEqualTo(Status.Code.UNKNOWN);
    SpanData span = awaitOneSpan();
    assertThat(span.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code")))
        .isEqualTo((long) Status.Code.UNKNOWN.value());
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    server.shutdown().awaitTermination(5, TimeUnit.SECONDS);
    assertThat(exporter.getFinishedSpanItems()).hasSize(1);
  }

  @Test
  void withoutTheTracerTheSpanNeverSaysOk() throws Exception {
    start(false);

    Status client = callRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});

    assertThat(client.getCode()).isEqualTo(Status.Code.UNKNOWN);
    SpanData span = awaitOneSpan();
    assertThat(span.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code")))
        .isEqualTo((long) Status.Code.UNKNOWN.value());
  }

  private void start(boolean tracer) throws IOException {
    OpenTelemetrySdk sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                    .build())
            .build();
    ServerInterceptor chain =
        ServerChain.builder().tracing(GrpcTracing.serverBuilder(sdk).build()).build();
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(new Service());
    server =
        (tracer ? ServerChain.install(builder, chain) : builder.intercept(chain)).build().start();
    int port = ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  private Status callRaw(byte[] body) {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                ClientCalls.blockingUnaryCall(
                    channel,
                    RAW_UNARY,
                    CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
                    body));
    assertThat(e).as("the call failed").isNotNull();
    return e.getStatus();
  }

  private SpanData awaitOneSpan() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (exporter.getFinishedSpanItems().isEmpty() && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(5);
    }
    List<SpanData> spans = exporter.getFinishedSpanItems();
    assertThat(spans).hasSize(1);
    return spans.get(0);
  }

  private static final class Service extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
      responses.onNext(SimpleResponse.getDefaultInstance());
      responses.onCompleted();
    }
  }

  private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
