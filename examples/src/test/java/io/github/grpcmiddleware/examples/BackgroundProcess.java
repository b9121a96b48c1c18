package io.github.grpcmiddleware.examples;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process the cross-language tests start on 127.0.0.1 (the Go guestbook, Zipkin) and stop when
 * closed; its output goes to a file the test reads.
 */
final class BackgroundProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;

  private BackgroundProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code command} in {@code directory}. */
  static BackgroundProcess start(String name, List<String> command, File directory)
      throws IOException {
    Path log = Files.createTempFile(name, ".log");
    Process process =
        new ProcessBuilder(command)
            .directory(directory)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    return new BackgroundProcess(name, process, log);
  }

  /** Everything the process printed so far. */
  String output() throws IOException {
    return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
  }

  /** Waits until the output has a match of {@code pattern}; fails when the process ends first. */
  Matcher await(Pattern pattern, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Matcher matcher = pattern.matcher(output());
      if (matcher.find()) {
        return matcher;
      }
      if (!process.isAlive()) {
        fail(
            "%s ended (exit %d) before printing %s:%n%s",
            name, process.exitValue(), pattern, output());
      }
      if (System.nanoTime() > deadline) {
        fail("%s did not print %s within %s:%n%s", name, pattern, timeout, output());
      }
      Thread.sleep(50);
    }
  }

  /** Fails when the process has ended. */
  void assertAlive() throws IOException {
    if (!process.isAlive()) {
      fail("%s ended (exit %d):%n%s", name, process.exitValue(), output());
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    Files.deleteIfExists(log);
  }
}
