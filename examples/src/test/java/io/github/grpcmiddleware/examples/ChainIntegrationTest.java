package io.github.grpcmiddleware.examples;

import static io.github.grpcmiddleware.testing.GrpcAssertions.assertThatCall;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.QuotaFailure;
import com.google.rpc.RetryInfo;
import io.github.grpcmiddleware.examples.proto.ExportUsersRequest;
import io.github.grpcmiddleware.examples.proto.UserRequest;
import io.github.grpcmiddleware.examples.proto.UserServiceGrpc;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.github.grpcmiddleware.testing.StatusAssert;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The order of the chain holds end to end: an auth rejection (auth is innermost) is localized by
 * error mapping, logged by the access log with the caller's trace id, and counted in metrics with
 * the code the client received; auth's principal reaches the access log through the call scope.
 */
class ChainIntegrationTest {
  private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  private static final String TRACEPARENT = "00-" + TRACE_ID + "-b7ad6b7169203331-01";

  @RegisterExtension final LogCapture logs = LogCapture.forRootLogger();

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    server = ExampleServer.start("127.0.0.1", 0, "chain-token", registry, null);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void authRejectionIsLocalizedLoggedWithTheTraceIdAndCountedWithTheClientsCode()
      throws InterruptedException {
    Metadata headers = new Metadata();
    headers.put(key("traceparent"), TRACEPARENT);
    headers.put(key("accept-language"), "zh-CN,en;q=0.5");
    UserServiceGrpc.UserServiceBlockingStub stub =
        UserServiceGrpc.newBlockingStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
            .withDeadlineAfter(10, TimeUnit.SECONDS);

    String description =
        assertThatCall(() -> stub.getUser(UserRequest.newBuilder().setId(1).build()))
            .failsWith(Status.Code.UNAUTHENTICATED)
            .withTrailer("x-trace-id", TRACE_ID)
            .withTrailer("content-language", "zh-CN")
            .withLocalizedMessageContaining("zh-CN", "")
            .status()
            .getDescription();
    assertThat(description).as("a Chinese description").containsPattern("[\\u4e00-\\u9fff]");

    LoggedEvent access =
        logs.await(e -> e.loggerName().equals("io.github.grpcmiddleware.access.server"), TIMEOUT);
    assertThat(access.message()).contains("example.UserService/GetUser", "UNAUTHENTICATED");
    assertThat(access.mdc()).containsEntry("traceId", TRACE_ID);
    assertThat(logs.events())
        .as("an expected rejection is not an error")
        .noneMatch(e -> e.level().equals("ERROR"));

    // The call's end writes the access line first and records the timer right after it.
    assertThat(
            awaitTimerCount(
                "grpc.method", "example.UserService/GetUser", "grpc.status", "UNAUTHENTICATED"))
        .as("timer tagged with the code the client got")
        .isEqualTo(1L);
  }

  /**
   * What the server's call timer with these tags counted, once it counted a call (0 if none by
   * TIMEOUT). A timer is registered on its first use and records right after: wait for the count.
   */
  private long awaitTimerCount(String... tags) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      Timer timer = registry.find("grpc.server.calls").tags(tags).timer();
      long count = timer == null ? 0 : timer.count();
      if (count > 0 || System.nanoTime() > deadline) {
        return count;
      }
      Thread.sleep(5);
    }
  }

  @Test
  void accessLogNamesThePrincipalAuthFound() {
    UserServiceGrpc.UserServiceBlockingStub stub =
        UserServiceGrpc.newBlockingStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer("chain-token")))
            .withDeadlineAfter(10, TimeUnit.SECONDS);

    assertThat(stub.getUser(UserRequest.newBuilder().setId(2).build()).getName())
        .isEqualTo("Grace Hopper");

    LoggedEvent access =
        logs.await(e -> e.loggerName().equals("io.github.grpcmiddleware.access.server"), TIMEOUT);
    assertThat(access.message()).contains("OK", "principal=demo-user");
  }

  @Test
  void aBugIsOneErrorLineWithTheTraceIdAndAWarnAccessLine() {
    Metadata headers = bearer("chain-token");
    headers.put(key("traceparent"), TRACEPARENT);
    UserServiceGrpc.UserServiceBlockingStub stub =
        UserServiceGrpc.newBlockingStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
            .withDeadlineAfter(10, TimeUnit.SECONDS);

    assertThatCall(() -> stub.getUser(UserRequest.newBuilder().setId(500).build()))
        .failsWith(Status.Code.INTERNAL)
        .withDescriptionContaining(TRACE_ID)
        .withoutTextAnywhere("hunter2");

    LoggedEvent access =
        logs.await(e -> e.loggerName().equals("io.github.grpcmiddleware.access.server"), TIMEOUT);
    assertThat(access.level()).isEqualTo("WARN");
    assertThat(access.message())
        .as("the exception error mapping recorded in the call scope, by class only")
        .contains("error=java.lang.IllegalStateException")
        .doesNotContain("hunter2");
    List<LoggedEvent> errors =
        logs.events().stream().filter(e -> e.level().equals("ERROR")).collect(Collectors.toList());
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).mdc()).containsEntry("traceId", TRACE_ID);
    assertThat(errors.get(0).throwable()).hasMessageContaining("hunter2");
  }

  /** A UserService stub of the authenticated demo caller asking for zh-CN, with a deadline. */
  private UserServiceGrpc.UserServiceBlockingStub chineseUserStub() {
    Metadata headers = bearer("chain-token");
    headers.put(key("accept-language"), "zh-CN");
    return UserServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void exportUsersOverItsRateLimitIsALocalizedResourceExhaustedWithRetryInfoAndQuotaFailure() {
    UserServiceGrpc.UserServiceBlockingStub stub = chineseUserStub();
    ExportUsersRequest request = ExportUsersRequest.getDefaultInstance();

    assertThat(stub.exportUsers(request).getCsv()).startsWith("1,Ada Lovelace,ada@example.com\n");
    assertThat(stub.exportUsers(request).getCsv()).isNotEmpty();
    StatusAssert rejected =
        assertThatCall(() -> stub.exportUsers(request))
            .failsWith(Status.Code.RESOURCE_EXHAUSTED)
            .withLocalizedMessage("zh-CN", "请求过多，请稍后重试。")
            .withErrorInfo("RATE_LIMIT_EXCEEDED", "grpcmiddleware")
            .withErrorInfoMetadata("limit", "export-per-caller");

    com.google.protobuf.Duration delay = rejected.details(RetryInfo.class).get(0).getRetryDelay();
    assertThat(Duration.ofSeconds(delay.getSeconds(), delay.getNanos()))
        .as("the time until the next token (one every 30 s)")
        .isPositive()
        .isLessThanOrEqualTo(Duration.ofSeconds(30));
    assertThat(rejected.details(QuotaFailure.class).get(0).getViolationsList())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getSubject()).isEqualTo("principal:demo-user");
              assertThat(v.getDescription()).isEqualTo("export-per-caller: 2 calls per PT1M");
            });
  }

  @Test
  void brokenBufValidateRulesAreALocalizedBadRequestBeforeTheServiceRuns() {
    UserServiceGrpc.UserServiceBlockingStub stub = chineseUserStub();

    assertThatCall(() -> stub.getUser(UserRequest.newBuilder().setId(-7).build()))
        .failsWith(Status.Code.INVALID_ARGUMENT)
        .withLocalizedMessage("zh-CN", "请求参数无效。")
        .withFieldViolation("id", "必须大于 0。");
    assertThat(logs.events())
        .as("the service never saw the request")
        .noneMatch(e -> e.message().startsWith("GetUser"));
  }

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static Metadata bearer(String token) {
    Metadata headers = new Metadata();
    headers.put(key("authorization"), "Bearer " + token);
    return headers;
  }

  private static Metadata.Key<String> key(String name) {
    return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
  }
}
