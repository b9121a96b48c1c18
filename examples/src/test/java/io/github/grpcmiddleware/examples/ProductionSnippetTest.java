package io.github.grpcmiddleware.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The snippet of docs/production.md compiles and starts a server with the checklist applied. */
class ProductionSnippetTest {
  @Test
  void theChecklistSnippetStartsAServer() throws Exception {
    String host = "127.0.0.1";
    int port = 0;
    // [START production_settings]
    ProductionSettings settings = ProductionSettings.defaults();
    ExecutorService executor = settings.newExecutor();
    Server server =
        settings
            .applyTo(NettyServerBuilder.forAddress(new InetSocketAddress(host, port)))
            .executor(executor)
            // services, chain, tracer factory ...
            .build()
            .start();
    // [END production_settings]
    try {
      assertThat(server.getPort()).isPositive();
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      executor.shutdownNow();
    }
  }
}
