package io.github.grpcmiddleware.otel;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.otel.testsupport.InMemoryOtel;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.ServerCallCapture;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.io.IOException;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code maxBaggageBytes} bounds baggage by its size as the W3C {@code baggage} header carries it:
 * keys, {@code =}, percent-encoded values, {@code ;} and metadata (properties), {@code ,} between
 * entries. A caller sends baggage to service A (GrpcTracing, the bound under test); A's handler
 * records what it sees and calls service B through GrpcTracing's client interceptor, and B records
 * the {@code baggage} header it received.
 */
class BaggageBytesTest {
  private static final Metadata.Key<String> BAGGAGE =
      Metadata.Key.of("baggage", Metadata.ASCII_STRING_MARSHALLER);

  @RegisterExtension final InMemoryOtel otel = InMemoryOtel.traceContextAndBaggage();
  private final OpenTelemetrySdk sdk = otel.sdk();
  private final AtomicReference<@Nullable String> keysAtA = new AtomicReference<>();
  private final ServerCallCapture atB = ServerCallCapture.create();

  @RegisterExtension final GrpcServerExtension serverB = TwoHops.answering(atB);

  /** Records A's baggage keys, then calls B with GrpcTracing's client interceptor. */
  private final class Answer extends SimpleServiceGrpc.SimpleServiceImplBase {
    private final Runnable before;

    Answer(Runnable before) {
      this.before = before;
    }

    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
      before.run();
      out.onNext(SimpleResponse.getDefaultInstance());
      out.onCompleted();
    }
  }

  private void callB() {
    keysAtA.set(String.valueOf(new TreeSet<>(Baggage.current().asMap().keySet())));
    SimpleServiceGrpc.newBlockingStub(serverB.channel(GrpcTracing.newClientInterceptor(sdk)))
        .unaryRpc(SimpleRequest.getDefaultInstance());
  }

  @ParameterizedTest(name = "[{index}] max {0}: {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        // The metadata counts: k=v;prop=... is 3 + 3,006 bytes (OpenTelemetry sends it encoded).
        "100 | k=v;prop=X3000,small=1 | [small] | small=1",
        // Values count as encoded: 6 CJK characters are 54 bytes; jp=... is 57.
        "30 | jp=%E6%97%A5%E6%9C%AC%E8%AA%9E%E6%97%A5%E6%9C%AC%E8%AA%9E,a=1 | [a] | a=1",
        // Separators count: a=12345 is 7 bytes, then ,b=123456789 (12) and ,c=1 (4) do not fit.
        "10 | a=12345,b=123456789,c=1 | [a] | a=12345",
      })
  void baggageIsBoundedInBytesAsSent(int maxBytes, String sent, String keptKeys, String forwarded)
      throws IOException {
    String name = InProcessServerBuilder.generateName();
    Server serverA =
        InProcessServerBuilder.forName(name)
            .addService(
                ServerInterceptors.intercept(
                    new Answer(this::callB),
                    GrpcTracing.serverBuilder(sdk).maxBaggageBytes(maxBytes).build()))
            .build()
            .start();
    serverB.register(serverA);
    Metadata headers = new Metadata();
    headers.put(BAGGAGE, sent.replace("X3000", "x".repeat(3000)));

    SimpleServiceGrpc.newBlockingStub(
            serverB.register(
                InProcessChannelBuilder.forName(name)
                    .intercept(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .build()))
        .unaryRpc(SimpleRequest.getDefaultInstance());

    assertThat(keysAtA.get()).isEqualTo(keptKeys);
    String atBHeader = atB.lastCall().header("baggage");
    assertThat(atBHeader).isEqualTo(forwarded);
    assertThat(forwarded.getBytes(UTF_8).length).isLessThanOrEqualTo(maxBytes);
  }
}
