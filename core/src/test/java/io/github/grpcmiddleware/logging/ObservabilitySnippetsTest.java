package io.github.grpcmiddleware.logging;

import static io.github.grpcmiddleware.testsupport.ObservedService.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.metrics.GrpcMetrics;
import io.github.grpcmiddleware.metrics.GrpcMetricsServerBuilder;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testsupport.ObservedService;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The README's observability snippets, compiled and run. */
class ObservabilitySnippetsTest {
  private static final Duration LOG_TIMEOUT = Duration.ofSeconds(5);

  @RegisterExtension
  final LogCapture log = LogCapture.forLogger(AccessLog.SERVER_LOGGER_NAME).atLevel("INFO");

  @Test
  void accessLogAndMetricsOnServerAndClient() throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    String name = InProcessServerBuilder.generateName();
    // [START observability-server]
    ServerInterceptor accessLog =
        AccessLog.serverBuilder()
            .slowCallThreshold(Duration.ofSeconds(2))
            .exclude(MethodSelector.of("grpc.health.v1.Health/*"))
            .build();
    GrpcMetricsServerBuilder metrics =
        GrpcMetrics.serverBuilder(registry).percentileHistogram(true);
    ServerInterceptor chain =
        ServerChain.builder().observability(accessLog).observability(metrics.build()).build();
    // install adds the chain and its stream tracer: records then carry the status the
    // transport sent, and calls to unknown methods are counted under one "unknown" tag.
    Server server =
        ServerChain.install(
                InProcessServerBuilder.forName(name).addService(new ObservedService()), chain)
            .build()
            .start();
    // [END observability-server]
    // [START observability-client]
    ClientInterceptor clientLog = AccessLog.clientBuilder().build();
    ClientInterceptor clientMetrics = GrpcMetrics.clientBuilder(registry).build();
    ManagedChannel channel =
        InProcessChannelBuilder.forName(name)
            // ManagedChannelBuilder.intercept also runs the last one first.
            .intercept(clientMetrics, clientLog)
            .build();
    // [END observability-client]
    try {
      SimpleServiceGrpc.newBlockingStub(channel).unaryRpc(request("readme"));
      log.awaitEvents(1, LOG_TIMEOUT);
      assertThat(registry.get("grpc.client.calls").timer().count()).isEqualTo(1);
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
    }
  }
}
