package io.github.grpcmiddleware.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.otel.testsupport.InMemoryOtel;
import io.github.grpcmiddleware.testsupport.RawBytes;
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
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A server span ends once, with the status the client received, also when grpc-java closes the call
 * itself (a request that does not decode): Netty on 127.0.0.1, chain installed with its stream
 * tracer.
 */
@SuppressWarnings("NullAway") // set by start()
class SpanOutcomeTest {

  private static final MethodDescriptor<byte[], byte[]> RAW_UNARY =
      RawBytes.unary(SimpleServiceGrpc.getUnaryRpcMethod().getFullMethodName());

  @RegisterExtension final InMemoryOtel otel = InMemoryOtel.traceContext();
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
    SpanData span = otel.awaitSpans(1).get(0);
    assertThat(span.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code")))
        .isEqualTo((long) Status.Code.UNKNOWN.value());
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    server.shutdown().awaitTermination(5, TimeUnit.SECONDS);
    assertThat(otel.spans()).hasSize(1);
  }

  @Test
  void withoutTheTracerTheSpanNeverSaysOk() throws Exception {
    start(false);

    Status client = callRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});

    assertThat(client.getCode()).isEqualTo(Status.Code.UNKNOWN);
    SpanData span = otel.awaitSpans(1).get(0);
    assertThat(span.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code")))
        .isEqualTo((long) Status.Code.UNKNOWN.value());
  }

  private void start(boolean tracer) throws IOException {
    OpenTelemetrySdk sdk = otel.sdk();
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

  private static final class Service extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
      responses.onNext(SimpleResponse.getDefaultInstance());
      responses.onCompleted();
    }
  }
}
