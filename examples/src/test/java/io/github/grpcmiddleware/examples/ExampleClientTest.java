package io.github.grpcmiddleware.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.metrics.LimitMetrics;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.grpc.Server;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Java demo client ({@code ExampleClient}, what {@code demo.sh} runs) against the example
 * server over Netty on 127.0.0.1: it prints the BadRequest of the {@code buf.validate} rules in
 * English and Chinese, and RESOURCE_EXHAUSTED with RetryInfo and QuotaFailure once ExportUsers is
 * over its rate limit; the server logs and counts the rejection.
 */
class ExampleClientTest {
  private static final String TOKEN = "demo-test-token";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @RegisterExtension final LogCapture logs = LogCapture.forRootLogger();

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private Server server;

  @BeforeEach
  void start() throws Exception {
    server = ExampleServer.start("127.0.0.1", 0, TOKEN, registry, null);
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void theDemoShowsFieldViolationsInBothLanguagesAndTheRateLimitWithRetryInfo() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      ExampleClient.run("127.0.0.1:" + server.getPort(), TOKEN, out);
    }
    String demo = bytes.toString(StandardCharsets.UTF_8).replace("\r\n", "\n");

    assertThat(demo)
        .contains(
            "GetUser(0)                   INVALID_ARGUMENT \"The request is invalid.\"\n"
                + "      LocalizedMessage [en] The request is invalid.\n"
                + "      BadRequest id: Must be greater than 0.\n")
        .contains(
            "CreateUsers(ada, \"\" <not-an-email>) [en] INVALID_ARGUMENT \"The request is"
                + " invalid.\"\n"
                + "      LocalizedMessage [en] The request is invalid.\n"
                + "      BadRequest name: Length must be at least 1.\n"
                + "      BadRequest email: Must be a valid email address.\n")
        .contains(
            "CreateUsers(ada, \"\" <not-an-email>) [zh-CN] INVALID_ARGUMENT \"请求参数无效。\"\n"
                + "      LocalizedMessage [zh-CN] 请求参数无效。\n"
                + "      BadRequest name: 长度不能少于 1。\n"
                + "      BadRequest email: 必须是有效的电子邮件地址。\n")
        .contains("CreateUsers(ada, bob)        created 2\n")
        .contains(
            "ExportUsers #1               OK, 3 users\n"
                + "ExportUsers #2               OK, 3 users\n"
                + "ExportUsers #3               RESOURCE_EXHAUSTED \"Too many requests. Please"
                + " retry later.\"\n"
                + "      LocalizedMessage [en] Too many requests. Please retry later.\n"
                + "      ErrorInfo RATE_LIMIT_EXCEEDED (grpcmiddleware) {limit=export-per-caller}\n")
        .contains("      QuotaFailure principal:demo-user: export-per-caller: 2 calls per PT1M\n");
    Matcher retry = Pattern.compile("\n      RetryInfo retry in (\\d+) ms\n").matcher(demo);
    assertThat(retry.find()).as("a RetryInfo line in:%n%s", demo).isTrue();
    assertThat(Long.parseLong(retry.group(1)))
        .as("the time until the next token: one comes every 30 s")
        .isPositive()
        .isLessThanOrEqualTo(30_000);

    LoggedEvent rejected =
        logs.await(
            e ->
                e.loggerName().equals("io.github.grpcmiddleware.access.server")
                    && e.message().contains("example.UserService/ExportUsers")
                    && e.message().contains("RESOURCE_EXHAUSTED"),
            TIMEOUT);
    assertThat(rejected.message())
        .contains(
            "principal=demo-user",
            "error=" + "io.github.grpcmiddleware.limits.LimitExceededException");
    Counter counter =
        registry
            .find(LimitMetrics.REJECTED)
            .tags(
                "grpc.method",
                "example.UserService/ExportUsers",
                "limit",
                "export-per-caller",
                "reason",
                "rate")
            .counter();
    assertThat(counter)
        .as("the rejection is counted")
        .isNotNull()
        .extracting(Counter::count)
        .isEqualTo(1.0);
    assertThat(logs.events())
        .as("localized validation messages resolve without a missing-key warning")
        .filteredOn(e -> e.loggerName().endsWith("LocalizedMessages"))
        .extracting(LoggedEvent::message)
        .isEmpty();
    assertThat(
            logs.events().stream()
                .filter(e -> e.level().equals("ERROR"))
                .map(LoggedEvent::message)
                .collect(Collectors.toList()))
        .as("only the two bugs the demo provokes (GetUser(500), Chat(panic)) are errors")
        .hasSize(2)
        .allMatch(m -> m.contains("failed with INTERNAL"));
  }
}
