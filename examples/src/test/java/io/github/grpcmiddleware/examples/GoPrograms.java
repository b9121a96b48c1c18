package io.github.grpcmiddleware.examples;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Builds the Go examples with {@code go-build.sh} (Debian's Go toolchain and packages, GOPATH mode)
 * and starts them. When Go, protoc or a Go package is missing the test fails with the script's
 * message, which names the {@code apt-get install} command.
 */
final class GoPrograms {
  static final File EXAMPLES = Paths.get("").toAbsolutePath().toFile();
  static final Path BIN = EXAMPLES.toPath().resolve("target/go/bin");
  private static final Pattern LISTENING =
      Pattern.compile("go-server listening on 127\\.0\\.0\\.1:(\\d+)");

  private GoPrograms() {}

  /** Builds go-client and go-server (a few seconds once Go's build cache is warm). */
  static void build() throws IOException, InterruptedException {
    NodeRunner.Result build = NodeRunner.run(Arrays.asList("bash", "go-build.sh"), EXAMPLES, 300);
    if (build.exitCode != 0) {
      fail("building the Go examples failed (exit %d):%n%s", build.exitCode, build.output);
    }
  }

  /** Runs go-client with {@code args} until it ends. */
  static NodeRunner.Result client(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(BIN.resolve("go-client").toString());
    command.addAll(Arrays.asList(args));
    return NodeRunner.run(command, EXAMPLES, 120);
  }

  /** A running go-server on a free port of 127.0.0.1. */
  static final class Server implements AutoCloseable {
    final BackgroundProcess process;
    final int port;

    private Server(BackgroundProcess process, int port) {
      this.process = process;
      this.port = port;
    }

    /** Starts go-server with {@code --port 0} and waits for its port. */
    static Server start() throws IOException, InterruptedException {
      BackgroundProcess process =
          BackgroundProcess.start(
              "go-server",
              Arrays.asList(BIN.resolve("go-server").toString(), "--port", "0"),
              EXAMPLES);
      int port = Integer.parseInt(process.await(LISTENING, Duration.ofSeconds(30)).group(1));
      return new Server(process, port);
    }

    /** {@code 127.0.0.1:PORT}. */
    String target() {
      return "127.0.0.1:" + port;
    }

    @Override
    public void close() throws IOException, InterruptedException {
      process.close();
    }
  }
}
