package io.github.grpcmiddleware.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.grpc.Server;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cross-language proof: the example server with the full chain on 127.0.0.1, checked by the
 * Node.js client ({@code @grpc/grpc-js}) in its {@code --check} mode.
 */
class NodeClientInteropTest {

  private static final Path CLIENT_DIR = Paths.get("node-client").toAbsolutePath();
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
    requireNode();
    if (!Files.isDirectory(CLIENT_DIR.resolve("node_modules"))) {
      Result install = run(Arrays.asList("npm", "ci", "--no-audit", "--no-fund"), 300);
      assertThat(install.exitCode).as("npm ci failed:%n%s", install.output).isZero();
    }

    Result check =
        run(
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

  private static void requireNode() throws InterruptedException {
    try {
      Result version = run(Arrays.asList("node", "--version"), 30);
      if (version.exitCode != 0) {
        fail("`node --version` failed; install Node.js 18 or newer:%n%s", version.output);
      }
    } catch (IOException e) {
      fail("Node.js is required for the interop test (node not found on PATH): " + e.getMessage());
    }
  }

  private static Result run(List<String> command, long timeoutSeconds)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("node-client", ".log");
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(CLIENT_DIR.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail(
            "%s did not finish within %d s:%n%s",
            command, timeoutSeconds, new String(Files.readAllBytes(log), StandardCharsets.UTF_8));
      }
      return new Result(
          process.exitValue(), new String(Files.readAllBytes(log), StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static final class Result {
    final int exitCode;
    final String output;

    Result(int exitCode, String output) {
      this.exitCode = exitCode;
      this.output = output;
    }
  }
}
