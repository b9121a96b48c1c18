package io.github.grpcmiddleware.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Go side of the cross-language proof: the Go client (grpc-go, genproto's errdetails,
 * OpenTelemetry Go's W3C propagator; built from example.proto with Debian's packages) checks the
 * example server on 127.0.0.1 in {@code --check} mode, with {@code accept-language: zh-CN} on every
 * call; the server signs its greeting into the Go guestbook ({@code --downstream}), so that call
 * crosses Go, Java and Go in one trace.
 */
class GoClientInteropTest {
  private static final String SPAN = "go span name=example.Greeter/SayHello kind=CLIENT";

  /** Every line the check prints, in order: a literal, or a regex where the value varies. */
  private static final List<Pattern> EXPECTED =
      List.of(
          Pattern.compile(
              Pattern.quote(SPAN) + " traceId=([0-9a-f]{32}) spanId=[0-9a-f]{16} sampled=true"),
          literal("PASS unary SayHello answers \"Hello, Go!\""),
          literal("PASS x-trace-id echoes the trace id of the Go span's traceparent"),
          literal("PASS unary GetUser(1) with a bearer token returns user 1"),
          literal("PASS GetUser(999) is NOT_FOUND"),
          literal("PASS LocalizedMessage decoded: [zh-CN] 用户 999 不存在。"),
          literal("PASS the description is the localized text"),
          literal("PASS content-language is zh-CN"),
          literal("PASS the zh-CN description is written in Chinese"),
          literal("PASS GetUser(0) is INVALID_ARGUMENT"),
          literal("PASS BadRequest decoded: id: 必须大于 0。"),
          literal("PASS GetUser(500) is INTERNAL"),
          literal("PASS the INTERNAL description carries the trace id"),
          literal("PASS INTERNAL leaks no exception text"),
          literal("PASS no token is UNAUTHENTICATED"),
          literal("PASS the rejection is localized [zh-CN]"),
          literal("PASS server streaming ListUsers streams users 1, 2, 3"),
          literal("PASS client streaming CreateUsers counts 2"),
          literal("PASS an invalid user is INVALID_ARGUMENT"),
          literal("PASS BadRequest decoded [zh-CN]: name: 长度不能少于 1。 | email: 必须是有效的电子邮件地址。"),
          literal("PASS bidi streaming Chat echoes each text"),
          literal("PASS ExportUsers over the limit is RESOURCE_EXHAUSTED"),
          Pattern.compile(
              Pattern.quote("PASS RetryInfo decoded: retry in ")
                  + "[1-9]\\d* ms "
                  + Pattern.quote("(0 < delay <= 30 s)")),
          literal(
              "PASS QuotaFailure decoded: principal:demo-user export-per-caller: 2 calls per PT1M"),
          literal("PASS ErrorInfo decoded: RATE_LIMIT_EXCEEDED limit=export-per-caller"),
          literal("PASS the limit message is localized [zh-CN]"),
          literal("go client check: all passed"));

  private static Pattern literal(String line) {
    return Pattern.compile(Pattern.quote(line));
  }

  @Test
  void withoutGoTheBuildFailsNamingTheInstallCommand() throws Exception {
    ProcessBuilder bare =
        new ProcessBuilder("/bin/bash", "go-build.sh")
            .directory(GoPrograms.EXAMPLES)
            .redirectErrorStream(true);
    bare.environment().clear();
    bare.environment().put("PATH", "/nonexistent");
    Process process = bare.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(process.exitValue()).as(output).isEqualTo(3);
    assertThat(output)
        .contains("go-build.sh: missing go protoc protoc-gen-go protoc-gen-go-grpc")
        .contains(
            "apt-get update && apt-get install -y golang-go protobuf-compiler protoc-gen-go"
                + " protoc-gen-go-grpc golang-google-grpc-dev golang-google-genproto-dev"
                + " golang-google-protobuf-dev golang-github-golang-protobuf-1-5-dev"
                + " golang-opentelemetry-otel-dev");
  }

  @Test
  void goClientSeesTheContractAndItsTraceReachesTheGoGuestbook() throws Exception {
    GoPrograms.build();
    try (GoPrograms.Server guestbook = GoPrograms.Server.start()) {
      Server server =
          ExampleServer.start(
              "127.0.0.1",
              0,
              "go-interop-token",
              new SimpleMeterRegistry(),
              null,
              ProductionSettings.defaults(),
              guestbook.target());
      NodeRunner.Result check;
      try {
        check =
            GoPrograms.client(
                "--check",
                "--target",
                "127.0.0.1:" + server.getPort(),
                "--token",
                "go-interop-token");
      } finally {
        server.shutdownNow();
      }

      assertThat(check.exitCode).as("go client check failed:%n%s", check.output).isZero();
      List<String> lines = new ArrayList<>(Arrays.asList(check.output.split("\n")));
      lines.removeIf(String::isEmpty);
      assertThat(lines).as("every line of the check:%n%s", check.output).hasSize(EXPECTED.size());
      for (int i = 0; i < EXPECTED.size(); i++) {
        assertThat(lines.get(i)).as("line %d", i + 1).matches(EXPECTED.get(i));
      }
      Matcher span = EXPECTED.get(0).matcher(lines.get(0));
      assertThat(span.matches()).isTrue();
      String traceId = span.group(1);

      // The example server continued the Go client's trace to the Go guestbook (core's client).
      guestbook.process.await(
          Pattern.compile(
              "go-server guestbook.Guestbook/Sign trace_id="
                  + traceId
                  + " parent_span_id=[0-9a-f]{16} span_id=[0-9a-f]{16} sampled=true name=\"Go\""
                  + " code=OK"),
          Duration.ofSeconds(10));
    }
  }
}
