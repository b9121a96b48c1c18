package io.github.grpcmiddleware.examples;

import static org.assertj.core.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A real Zipkin server ({@code io.zipkin:zipkin-server} exec jar, in-memory storage) on a free port
 * of 127.0.0.1, started from {@code target/zipkin/zipkin-server.jar}, which the examples' build
 * copies from the local Maven repository.
 */
final class ZipkinServer implements AutoCloseable {
  static final Path JAR = GoPrograms.EXAMPLES.toPath().resolve("target/zipkin/zipkin-server.jar");

  private final BackgroundProcess process;
  private final int port;
  private final HttpClient http = HttpClient.newHttpClient();

  private ZipkinServer(BackgroundProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts Zipkin and waits until its health check says UP. */
  static ZipkinServer start() throws IOException, InterruptedException {
    if (!Files.isRegularFile(JAR)) {
      fail(
          "%s is missing: it is copied from Maven Central (io.zipkin:zipkin-server:3.5.1:exec) by"
              + " the examples' build: ./mvnw -B -pl examples -am test-compile",
          JAR);
    }
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    BackgroundProcess process =
        BackgroundProcess.start(
            "zipkin",
            Arrays.asList(
                java,
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-jar",
                JAR.toString(),
                "--armeria.ports[0].port=" + port,
                "--armeria.ports[0].ip=127.0.0.1",
                "--armeria.ports[0].protocols[0]=http",
                "--logging.level.root=WARN"),
            GoPrograms.EXAMPLES);
    ZipkinServer zipkin = new ZipkinServer(process, port);
    zipkin.awaitHealthy(Duration.ofSeconds(90));
    return zipkin;
  }

  /** {@code http://127.0.0.1:PORT}. */
  String url() {
    return "http://127.0.0.1:" + port;
  }

  private void awaitHealthy(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> health = get("/health");
        if (health.statusCode() == 200 && health.body().contains("\"UP\"")) {
          return;
        }
      } catch (IOException notYet) {
        // Not listening yet.
      }
      process.assertAlive();
      Thread.sleep(200);
    }
    fail("Zipkin did not become healthy within %s:%n%s", timeout, process.output());
  }

  /**
   * Returns the spans of {@code traceId} from {@code GET /api/v2/trace/{traceId}} once there are at
   * least {@code count} (spans arrive in batches), failing after 30 s.
   */
  List<JsonObject> awaitTrace(String traceId, int count) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<JsonObject> spans = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response = get("/api/v2/trace/" + traceId);
      spans.clear();
      if (response.statusCode() == 200) {
        JsonArray array = JsonParser.parseString(response.body()).getAsJsonArray();
        for (JsonElement span : array) {
          spans.add(span.getAsJsonObject());
        }
        if (spans.size() >= count) {
          return spans;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("Zipkin has " + spans.size() + " of " + count + " spans: " + spans);
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() throws IOException, InterruptedException {
    process.close();
  }
}
