package io.github.grpcmiddleware.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.github.grpcmiddleware.testing.LogCapture;
import io.grpc.Server;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One trace across three languages in a real Zipkin: the Node.js client's span
 * ({@code @opentelemetry/exporter-zipkin}) -> the example server ({@code --zipkin}: GrpcTracing
 * spans, {@link ZipkinSpanExporter}) -> its call to the Go guestbook ({@code --downstream}), whose
 * log line names the span it received. Zipkin, the Go server and Node.js run as processes on
 * 127.0.0.1; the test reads the trace back from Zipkin's {@code /api/v2/trace/{traceId}}.
 */
class ZipkinTraceTest {
  private static final Pattern NODE_SPAN =
      Pattern.compile(
          "node span name=example\\.Greeter/SayHello kind=CLIENT traceId=([0-9a-f]{32})"
              + " spanId=([0-9a-f]{16}) sampled=true exported=1");

  private static ZipkinServer zipkin;
  private static GoPrograms.Server guestbook;
  private static OpenTelemetrySdk sdk;
  private static Server server;

  @RegisterExtension
  final LogCapture logs = LogCapture.forLogger("io.github.grpcmiddleware.examples");

  @BeforeAll
  static void start() throws Exception {
    NodeRunner.requireNodeAndPackages();
    GoPrograms.build();
    zipkin = ZipkinServer.start();
    guestbook = GoPrograms.Server.start();
    sdk = ExampleServer.openTelemetry(zipkin.url());
    server =
        ExampleServer.start(
            "127.0.0.1",
            0,
            "zipkin-token",
            new SimpleMeterRegistry(),
            sdk,
            ProductionSettings.defaults(),
            guestbook.target());
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (sdk != null) {
      sdk.close();
    }
    if (guestbook != null) {
      guestbook.close();
    }
    if (zipkin != null) {
      zipkin.close();
    }
  }

  @Test
  void aCallFromNodeThroughJavaToGoIsOneTraceInZipkin() throws Exception {
    NodeRunner.Result node = node("Zipkin");
    assertThat(node.output).contains("SayHello: OK \"Hello, Zipkin!\"");
    Matcher ids = nodeSpan(node);
    String traceId = ids.group(1);

    List<JsonObject> spans = zipkin.awaitTrace(traceId, 3);
    assertThat(spans).as("the spans of trace %s", traceId).hasSize(3);
    assertThat(spans).allSatisfy(s -> assertThat(text(s, "traceId")).isEqualTo(traceId));

    JsonObject nodeSpan = span(spans, "example-node-client", "CLIENT");
    assertThat(text(nodeSpan, "id")).isEqualTo(ids.group(2));
    assertThat(nodeSpan.has("parentId")).as("the Node span is the root").isFalse();
    assertThat(text(nodeSpan, "name")).isEqualTo("example.greeter/sayhello"); // Zipkin lowercases
    assertThat(tags(nodeSpan))
        .containsEntry("rpc.grpc.status_code", "0")
        .doesNotContainKey("error");

    JsonObject javaServer = span(spans, "example-server", "SERVER");
    assertThat(text(javaServer, "parentId")).isEqualTo(text(nodeSpan, "id"));
    assertThat(text(javaServer, "name")).isEqualTo("example.greeter/sayhello");
    assertThat(rpcTags(javaServer)).containsExactly("grpc", "example.Greeter", "SayHello", "0");
    assertThat(tags(javaServer)).doesNotContainKey("error");

    JsonObject javaClient = span(spans, "example-server", "CLIENT");
    assertThat(text(javaClient, "parentId")).isEqualTo(text(javaServer, "id"));
    assertThat(text(javaClient, "name")).isEqualTo("guestbook.guestbook/sign");
    assertThat(rpcTags(javaClient)).containsExactly("grpc", "guestbook.Guestbook", "Sign", "0");
    assertThat(tags(javaClient)).doesNotContainKey("error");

    // Go's spans are not exported (Debian's OpenTelemetry Go has no Zipkin exporter): its log line
    // shows it received the Java CLIENT span as its parent, in the same trace.
    awaitGoLine(traceId, text(javaClient, "id"), "name=\"Zipkin\" code=OK");
  }

  @Test
  void aCallTheGoServerRefusesCarriesTheErrorStatusInEverySpan() throws Exception {
    NodeRunner.Result node = node("mallory");
    Matcher ids = nodeSpan(node);
    String traceId = ids.group(1);
    // translateDownstream(PERMISSION_DENIED): the caller gets INTERNAL with the trace id, not the
    // dependency's refusal.
    assertThat(node.output)
        .contains(
            "SayHello: INTERNAL \"Internal error. Please report trace id "
                + traceId
                + " to the service owner.\"");

    List<JsonObject> spans = zipkin.awaitTrace(traceId, 3);
    assertThat(spans).hasSize(3);
    JsonObject nodeSpan = span(spans, "example-node-client", "CLIENT");
    assertThat(errorTags(nodeSpan)).containsExactly("13", "ERROR", "INTERNAL");
    JsonObject javaServer = span(spans, "example-server", "SERVER");
    assertThat(text(javaServer, "parentId")).isEqualTo(text(nodeSpan, "id"));
    assertThat(errorTags(javaServer)).containsExactly("13", "ERROR", "INTERNAL");
    JsonObject javaClient = span(spans, "example-server", "CLIENT");
    assertThat(text(javaClient, "parentId")).isEqualTo(text(javaServer, "id"));
    assertThat(errorTags(javaClient)).containsExactly("7", "ERROR", "PERMISSION_DENIED");

    awaitGoLine(traceId, text(javaClient, "id"), "name=\"mallory\" code=PermissionDenied");
    // The Go server's details, decoded by ErrorReport on the Java side (its x-trace-id too).
    logs.await(
        e ->
            e.message()
                .equals(
                    "guestbook.Guestbook/Sign for mallory failed: PERMISSION_DENIED: mallory may"
                        + " not sign the guestbook [trace "
                        + traceId
                        + ", reason GUEST_REFUSED (guestbook.example)]"),
        Duration.ofSeconds(10));
  }

  private static NodeRunner.Result node(String name) throws Exception {
    NodeRunner.Result node =
        NodeRunner.run(
            Arrays.asList(
                "node",
                "client.js",
                "--otel",
                "--zipkin",
                zipkin.url(),
                "--name",
                name,
                "--target",
                "127.0.0.1:" + server.getPort()),
            120);
    assertThat(node.exitCode).as("node --otel --zipkin failed:%n%s", node.output).isZero();
    return node;
  }

  /** The Go guestbook's line for a call of {@code traceId} whose parent is {@code parentId}. */
  private static void awaitGoLine(String traceId, String parentId, String nameAndCode)
      throws Exception {
    guestbook.process.await(
        Pattern.compile(
            Pattern.quote(
                    "go-server guestbook.Guestbook/Sign trace_id="
                        + traceId
                        + " parent_span_id="
                        + parentId)
                + " span_id=[0-9a-f]{16} sampled=true "
                + Pattern.quote(nameAndCode)),
        Duration.ofSeconds(10));
  }

  private static Matcher nodeSpan(NodeRunner.Result node) {
    Matcher ids = NODE_SPAN.matcher(node.output);
    assertThat(ids.find()).as("node printed its span:%n%s", node.output).isTrue();
    return ids;
  }

  private static JsonObject span(List<JsonObject> spans, String service, String kind) {
    List<JsonObject> found =
        spans.stream()
            .filter(
                s ->
                    service.equals(
                        s.getAsJsonObject("localEndpoint").get("serviceName").getAsString()))
            .filter(s -> s.has("kind") && kind.equals(s.get("kind").getAsString()))
            .collect(java.util.stream.Collectors.toList());
    assertThat(found).as("%s %s spans in %s", service, kind, spans).hasSize(1);
    return found.get(0);
  }

  private static String text(JsonObject span, String field) {
    return span.has(field) ? span.get(field).getAsString() : "(none)";
  }

  /** rpc.system, rpc.service, rpc.method and rpc.grpc.status_code. */
  private static List<String> rpcTags(JsonObject span) {
    Map<String, String> tags = tags(span);
    return Arrays.asList(
        tags.get("rpc.system"),
        tags.get("rpc.service"),
        tags.get("rpc.method"),
        tags.get("rpc.grpc.status_code"));
  }

  /** rpc.grpc.status_code, otel.status_code and error. */
  private static List<String> errorTags(JsonObject span) {
    Map<String, String> tags = tags(span);
    return Arrays.asList(
        tags.get("rpc.grpc.status_code"), tags.get("otel.status_code"), tags.get("error"));
  }

  private static Map<String, String> tags(JsonObject span) {
    Map<String, String> tags = new TreeMap<>();
    if (span.has("tags")) {
      span.getAsJsonObject("tags")
          .entrySet()
          .forEach(e -> tags.put(e.getKey(), e.getValue().getAsString()));
    }
    return tags;
  }
}
