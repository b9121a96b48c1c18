package io.github.grpcmiddleware.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Node.js example client (examples/node-client) for the cross-language tests; fails with a
 * clear message when Node.js is missing.
 */
final class NodeRunner {
  static final Path CLIENT_DIR = Paths.get("node-client").toAbsolutePath();

  private NodeRunner() {}

  /** Fails the test unless {@code node} runs; installs the client's packages when absent. */
  static void requireNodeAndPackages() throws InterruptedException, IOException {
    try {
      Result version = run(Arrays.asList("node", "--version"), 30);
      if (version.exitCode != 0) {
        fail("`node --version` failed; install Node.js 18 or newer:%n%s", version.output);
      }
    } catch (IOException e) {
      fail("Node.js is required for the interop test (node not found on PATH): " + e.getMessage());
    }
    if (!Files.isDirectory(CLIENT_DIR.resolve("node_modules"))) {
      Result install = run(Arrays.asList("npm", "ci", "--no-audit", "--no-fund"), 300);
      assertThat(install.exitCode).as("npm ci failed:%n%s", install.output).isZero();
    }
  }

  /** Runs {@code command} in the client's directory; returns its exit code and output. */
  static Result run(List<String> command, long timeoutSeconds)
      throws IOException, InterruptedException {
    return run(command, CLIENT_DIR.toFile(), timeoutSeconds);
  }

  /** Runs {@code command} in {@code directory}; returns its exit code and output. */
  static Result run(List<String> command, File directory, long timeoutSeconds)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("process", ".log");
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(directory)
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

  /** A finished process. */
  static final class Result {
    final int exitCode;
    final String output;

    Result(int exitCode, String output) {
      this.exitCode = exitCode;
      this.output = output;
    }
  }
}
