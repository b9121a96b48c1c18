package io.github.grpcmiddleware.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cross-language proof: the example server with the full chain on 127.0.0.1, checked by the
 * Node.js client ({@code @grpc/grpc-js}) in its {@code --check} mode.
 */
class NodeClientInteropTest {

  private static Server server;

  @BeforeAll
  static void startServer() throws IOException {
    server = ExampleServer.start("127.0.0.1", 0, "interop-token");
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void nodeClientSeesTheContract() throws Exception {
    NodeRunner.requireNodeAndPackages();

    NodeRunner.Result check =
        NodeRunner.run(
            Arrays.asList(
                "node",
                "client.js",
                "--check",
                "--target",
                "127.0.0.1:" + server.getPort(),
                "--token",
                "interop-token"),
            120);

    assertThat(check.exitCode).as("node client check failed:%n%s", check.output).isZero();
    assertThat(check.output).contains("node client check: all passed").doesNotContain("FAIL ");
  }
}
