package io.github.grpcmiddleware.reliability;

import io.github.grpcmiddleware.examples.ExampleServer;
import io.github.grpcmiddleware.examples.proto.GreeterGrpc;
import io.github.grpcmiddleware.examples.proto.HelloRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The example server in a JVM of its own, started the way an operator starts it: its own heap and
 * direct-memory limits, optionally a lower file descriptor limit ({@code ulimit -n}, through {@code
 * bash}), and the examples' {@code logback.xml}. Standard output and error are merged and kept, so
 * a test can count every byte the server logs.
 *
 * <p>By default the child runs the given main class on this JVM's class path (the code under test).
 * With {@code -Dreliability.exampleServerJar=PATH} it runs that executable jar instead ({@code java
 * -jar PATH --port 0}), so that the same attack can be measured against another build, such as the
 * example server of an older commit.
 */
final class ExampleServerProcess implements AutoCloseable {
  static final String JAR_PROPERTY = "reliability.exampleServerJar";
  private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();
  private final int port;

  private ExampleServerProcess(List<String> command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    process = builder.start();
    Thread drain = new Thread(this::drain, "example-server-output");
    drain.setDaemon(true);
    drain.start();
    port = awaitPort(String.join(" ", command));
  }

  /**
   * Starts {@code mainClass} (a main that prints {@code listening on 127.0.0.1:PORT}), or the jar
   * named by {@link #JAR_PROPERTY}.
   *
   * @param jvmOptions heap, direct memory and other {@code -X} options
   * @param fileDescriptors the child's {@code ulimit -n}, or 0 to inherit this JVM's
   * @param mainClass the class to run from this JVM's class path
   * @param args its arguments
   */
  static ExampleServerProcess start(
      List<String> jvmOptions, int fileDescriptors, Class<?> mainClass, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    if (fileDescriptors > 0) {
      // exec: the java process replaces bash, so destroying the process stops the server.
      command.addAll(
          List.of("bash", "-c", "ulimit -n " + fileDescriptors + " && exec \"$@\"", "bash"));
    }
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    String jar = System.getProperty(JAR_PROPERTY, "");
    if (!jar.isEmpty()) {
      command.addAll(List.of("-jar", jar, "--port", "0"));
    } else {
      command.add("-Dlogback.configurationFile=" + examplesLogbackXml());
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
      command.addAll(List.of(args));
    }
    return new ExampleServerProcess(command);
  }

  /** The example server's own main, {@code --port 0}. */
  static ExampleServerProcess startExampleServer(List<String> jvmOptions, int fileDescriptors)
      throws IOException, InterruptedException {
    return start(jvmOptions, fileDescriptors, ExampleServer.class, "--port", "0");
  }

  int port() {
    return port;
  }

  /** Bytes the server has written so far, standard output and error together. */
  int bytes() {
    synchronized (output) {
      return output.size();
    }
  }

  /** What the server has written from byte {@code from} on. */
  String text(int from) {
    synchronized (output) {
      byte[] all = output.toByteArray();
      return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits until the output has not grown for {@code quiet}, at most {@code timeout}. */
  void awaitQuiet(Duration quiet, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int last = bytes();
    long lastChange = System.nanoTime();
    while (System.nanoTime() < deadline) {
      Thread.sleep(50);
      int now = bytes();
      if (now != last) {
        last = now;
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange >= quiet.toNanos()) {
        return;
      }
    }
  }

  /** Waits until the output from {@code from} on matches {@code pattern}; false on timeout. */
  boolean awaitOutput(int from, Pattern pattern, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (pattern.matcher(text(from)).find()) {
        return true;
      }
      Thread.sleep(50);
    }
    return pattern.matcher(text(from)).find();
  }

  /** Stops the server (SIGTERM: its shutdown hook runs), forcibly after 10 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private void drain() {
    byte[] buffer = new byte[8192];
    try (InputStream in = process.getInputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        synchronized (output) {
          output.write(buffer, 0, n);
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  private int awaitPort(String command) throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline && process.isAlive()) {
      Matcher m = LISTENING.matcher(text(0));
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      Thread.sleep(50);
    }
    Matcher m = LISTENING.matcher(text(0));
    if (m.find()) {
      return Integer.parseInt(m.group(1));
    }
    process.destroyForcibly();
    throw new IllegalStateException(
        "the example server did not start: " + command + "\n" + text(0));
  }

  /** The examples' logback.xml, so that the child logs as the example server does. */
  private static String examplesLogbackXml() throws IOException {
    URL location = ExampleServer.class.getProtectionDomain().getCodeSource().getLocation();
    if (location.getPath().endsWith(".jar")) {
      return "jar:" + location + "!/logback.xml";
    }
    Path file;
    try {
      file = Paths.get(location.toURI()).resolve("logback.xml");
    } catch (java.net.URISyntaxException e) {
      throw new IOException(e);
    }
    if (!Files.exists(file)) {
      throw new IOException("no logback.xml next to " + location);
    }
    return file.toUri().toString();
  }

  /** One normal call's outcome and latency. */
  record Probe(Status.Code code, long millis) {
    @Override
    public String toString() {
      return code + " in " + millis + " ms";
    }
  }

  /**
   * Makes up to {@code count} normal calls (SayHello, a new connection each, a 10 s deadline);
   * stops after the first that fails.
   */
  List<Probe> probe(int count) throws InterruptedException {
    List<Probe> probes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      long start = System.nanoTime();
      Status.Code code;
      try {
        GreeterGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .sayHello(HelloRequest.newBuilder().setName("probe").build());
        code = Status.Code.OK;
      } catch (StatusRuntimeException e) {
        code = e.getStatus().getCode();
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      probes.add(new Probe(code, (System.nanoTime() - start) / 1_000_000));
      if (code != Status.Code.OK) {
        break; // one failure says it; the test stays within its time limit
      }
    }
    return probes;
  }

  /** The number of times {@code needle} occurs in the output. */
  int count(String needle) {
    String all = text(0);
    int count = 0;
    for (int at = all.indexOf(needle); at >= 0; at = all.indexOf(needle, at + 1)) {
      count++;
    }
    return count;
  }

  @Override
  public String toString() {
    return "example server on port " + port;
  }

  static @Nullable String jarUnderTest() {
    String jar = System.getProperty(JAR_PROPERTY, "");
    return jar.isEmpty() ? null : jar;
  }
}
