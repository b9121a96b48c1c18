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
 * Node.js client ({@code @grpc/grpc-js}) in its {@code --check} mode, which decodes {@code
 * grpc-status-details-bin} with protobufjs (BadRequest of the {@code buf.validate} rules in English
 * and Chinese, RetryInfo and QuotaFailure of the rate limit on ExportUsers).
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
    // The checks of issues 19 and 20: the BadRequest of the buf.validate rules and the RetryInfo
    // and QuotaFailure of the rate limit, decoded by protobufjs from grpc-status-details-bin.
    assertThat(check.output)
        .contains(
            "PASS BadRequest [en] decoded: name: Length must be at least 1. | email: Must be a"
                + " valid email address.")
        .contains("PASS BadRequest [zh-CN] decoded: name: 长度不能少于 1。 | email: 必须是有效的电子邮件地址。")
        .contains("PASS BadRequest says id must be greater than 0")
        .containsPattern("PASS RetryInfo decoded: retry in [1-9]\\d* ms .*\\[en]")
        .containsPattern("PASS RetryInfo decoded: retry in [1-9]\\d* ms .*\\[zh-CN]")
        .contains(
            "PASS QuotaFailure decoded: principal:demo-user export-per-caller: 2 calls per PT1M [en]")
        .contains("PASS zh-CN limit description is written in Chinese");
  }
}
