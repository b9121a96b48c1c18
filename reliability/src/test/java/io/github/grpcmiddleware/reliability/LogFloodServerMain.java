package io.github.grpcmiddleware.reliability;

import io.github.grpcmiddleware.examples.ExampleServer;
import io.github.grpcmiddleware.examples.ProductionSettings;
import io.grpc.Server;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;

/**
 * The example server with the checklist's settings except one: grpc-java's log records are
 * summarized every {@code args[0]} milliseconds instead of every 10 s, so a test sees the count of
 * suppressed records without waiting 10 s per attack. Run in a child JVM by {@link
 * ExampleServerProcess}.
 */
final class LogFloodServerMain {
  private LogFloodServerMain() {}

  public static void main(String[] args) throws Exception {
    ProductionSettings settings =
        ProductionSettings.builder()
            .logSummaryInterval(Duration.ofMillis(Long.parseLong(args[0])))
            .build();
    Server server =
        ExampleServer.start(
            "127.0.0.1", 0, "demo-token", new SimpleMeterRegistry(), null, settings);
    System.out.println("example server listening on 127.0.0.1:" + server.getPort());
    server.awaitTermination();
  }
}
