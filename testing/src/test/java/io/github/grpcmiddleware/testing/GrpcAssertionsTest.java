package io.github.grpcmiddleware.testing;

import static io.github.grpcmiddleware.testing.EchoService.request;
import static io.github.grpcmiddleware.testing.GrpcAssertions.assertThatCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import com.google.rpc.ResourceInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every assertion passing, and failing with a message that shows the whole status. */
class GrpcAssertionsTest {
  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder().service(new RichErrorService()).build();

  SimpleServiceGrpc.SimpleServiceBlockingStub stub;

  @BeforeEach
  void setUp() {
    stub = grpc.stub(SimpleServiceGrpc::newBlockingStub);
  }

  StatusAssert rich() {
    return assertThatCall(() -> stub.unaryRpc(request("rich"))).failsWith(Status.Code.NOT_FOUND);
  }

  static void failsWithMessage(ThrowingCallable assertion, String... parts) {
    assertThatThrownBy(assertion)
        .isInstanceOf(AssertionError.class)
        .message()
        .contains(parts)
        .contains("code: NOT_FOUND", "x-trace-id: " + RichErrorService.TRACE_ID);
  }

  @Test
  void everyAssertionPassesOnTheRichStatus() {
    rich()
        .hasCode(Status.Code.NOT_FOUND)
        .withDescription("找不到用户 7")
        .withDescriptionContaining("7")
        .withLocalizedMessage("zh-cn", "找不到用户 7")
        .withLocalizedMessageContaining("zh-CN", "用户")
        .withErrorInfoReason("USER_NOT_FOUND")
        .withErrorInfo("USER_NOT_FOUND", "example.com")
        .withErrorInfoMetadata("id", "7")
        .withFieldViolation("id")
        .withFieldViolation("id", "no such")
        .withRetryDelay(Duration.ofSeconds(2))
        .withRetryDelayBetween(Duration.ofSeconds(2), Duration.ofSeconds(2))
        .withRetryDelayBetween(Duration.ZERO, Duration.ofSeconds(10))
        .withDetail(PreconditionFailure.class)
        .withTrailer("x-trace-id", RichErrorService.TRACE_ID)
        .withTrailerMatching("X-Trace-Id", "[0-9a-f]{32}")
        .withoutTrailer("x-other")
        .withoutTextAnywhere("secret");
  }

  @Test
  void failureMessagesNameTheExpectationAndPrintTheWholeStatus() {
    assertThatThrownBy(() -> rich().withErrorInfoReason("OTHER"))
        .hasMessageStartingWith(
            "Expected an ErrorInfo with reason \"OTHER\"\nbut the call ended with:")
        .hasMessageContaining("  description: \"找不到用户 7\"")
        .hasMessageContaining(
            "google.rpc.LocalizedMessage { locale: \"zh-CN\" message: \"找不到用户 7\" }")
        .hasMessageContaining(
            "google.rpc.ErrorInfo { reason: \"USER_NOT_FOUND\" domain: \"example.com\"")
        .hasMessageContaining("google.rpc.BadRequest { field_violations {")
        .hasMessageContaining("google.rpc.RetryInfo { retry_delay { seconds: 2 } }")
        .hasMessageContaining("google.rpc.PreconditionFailure")
        .hasMessageMatching("(?s).*grpc-status-details-bin: \\(\\d+ bytes\\).*");
  }

  @Test
  void eachAssertionFailsWithAReadableMessage() {
    failsWithMessage(() -> rich().hasCode(Status.Code.INTERNAL), "Expected code INTERNAL");
    failsWithMessage(() -> rich().withDescription("x"), "Expected description \"x\"");
    failsWithMessage(
        () -> rich().withDescriptionContaining("42"), "Expected a description containing \"42\"");
    failsWithMessage(
        () -> rich().withLocalizedMessage("en", "找不到用户 7"),
        "Expected a LocalizedMessage in \"en\": \"找不到用户 7\"");
    failsWithMessage(
        () -> rich().withLocalizedMessageContaining("zh-CN", "8"),
        "Expected a LocalizedMessage in \"zh-CN\" containing \"8\"");
    failsWithMessage(
        () -> rich().withErrorInfo("USER_NOT_FOUND", "other.com"),
        "Expected an ErrorInfo with reason \"USER_NOT_FOUND\" and domain \"other.com\"");
    failsWithMessage(
        () -> rich().withErrorInfoMetadata("id", "8"),
        "Expected an ErrorInfo with metadata id=\"8\"");
    failsWithMessage(
        () -> rich().withFieldViolation("name"),
        "Expected a BadRequest field violation on \"name\"");
    failsWithMessage(
        () -> rich().withFieldViolation("id", "too long"),
        "with a description containing \"too long\"");
    failsWithMessage(
        () -> rich().withRetryDelay(Duration.ofSeconds(3)),
        "Expected a RetryInfo with retry delay PT3S");
    failsWithMessage(
        () -> rich().withRetryDelayBetween(Duration.ZERO, Duration.ofMillis(1999)),
        "Expected a RetryInfo with retry delay between PT0S and PT1.999S");
    failsWithMessage(
        () -> rich().withRetryDelayBetween(Duration.ofMillis(2001), Duration.ofSeconds(9)),
        "Expected a RetryInfo with retry delay between PT2.001S and PT9S");
    failsWithMessage(() -> rich().withDetail(ResourceInfo.class), "Expected a ResourceInfo detail");
    failsWithMessage(() -> rich().withoutDetails(), "Expected no details");
    failsWithMessage(
        () -> rich().withTrailer("x-trace-id", "other"), "Expected trailer x-trace-id: other");
    failsWithMessage(
        () -> rich().withTrailerMatching("x-trace-id", "[A-Z]+"),
        "Expected trailer x-trace-id matching /[A-Z]+/");
    failsWithMessage(() -> rich().withoutTrailer("x-trace-id"), "Expected no trailer x-trace-id");
    failsWithMessage(
        () -> rich().withoutTextAnywhere("用户"),
        "Expected no \"用户\" in the description, details or trailers");
    assertThatThrownBy(
            () ->
                assertThatCall(() -> stub.unaryRpc(request("rich")))
                    .failsWith(Status.Code.INTERNAL))
        .hasMessageStartingWith("Expected code INTERNAL");
  }

  @Test
  void aRetryDelayRangeIsCheckedWhenItIsAsked() {
    assertThatThrownBy(() -> rich().withRetryDelayBetween(Duration.ofSeconds(-1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("min: PT-1S (expected: >= 0)");
    assertThatThrownBy(() -> rich().withRetryDelayBetween(Duration.ofSeconds(2), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("max: PT0S (expected: >= min PT2S)");
  }

  @Test
  void aStatusWithoutDetailsPrintsNone() {
    assertThatCall(() -> stub.unaryRpc(request("plain")))
        .fails()
        .hasCode(Status.Code.INTERNAL)
        .withDescription("boom")
        .withoutDetails();
    assertThatThrownBy(
            () ->
                assertThatCall(() -> stub.unaryRpc(request("plain")))
                    .failsWith(Status.Code.INTERNAL)
                    .withErrorInfoReason("X"))
        .hasMessageContaining("  code: INTERNAL\n  description: \"boom\"\n  details: (none)");
  }

  @Test
  void aHandlerExceptionDoesNotLeakItsMessage() {
    assertThatCall(() -> stub.unaryRpc(request("bug")))
        .failsWith(Status.Code.UNKNOWN)
        .withoutTextAnywhere("secret internal detail");
  }

  @Test
  void callOutcomesOtherThanAStatusAreReported() {
    assertThatCall(() -> stub.unaryRpc(request("ok"))).succeeds();
    assertThatThrownBy(
            () ->
                assertThatCall(() -> stub.unaryRpc(request("ok"))).failsWith(Status.Code.NOT_FOUND))
        .isInstanceOf(AssertionError.class)
        .hasMessage("Expected the call to fail with NOT_FOUND\nbut it completed normally");
    assertThatThrownBy(
            () ->
                assertThatCall(
                        () -> {
                          throw new IllegalStateException("not grpc");
                        })
                    .fails())
        .hasMessage(
            "Expected the call to fail with a gRPC status\nbut it threw"
                + " java.lang.IllegalStateException: not grpc (no gRPC status)")
        .hasCauseInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> assertThatCall(() -> stub.unaryRpc(request("rich"))).succeeds())
        .hasMessageStartingWith("Expected the call to succeed\nbut it threw")
        .hasMessageContaining("code: NOT_FOUND")
        .hasMessageContaining("USER_NOT_FOUND");
  }

  @Test
  void exceptionsAndStatusesCanBeAssertedDirectly() {
    StatusRuntimeException thrown =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class, () -> stub.unaryRpc(request("rich")));
    GrpcAssertions.assertThat(thrown)
        .hasCode(Status.Code.NOT_FOUND)
        .withErrorInfoReason("USER_NOT_FOUND");

    StatusException checked = new StatusException(thrown.getStatus(), thrown.getTrailers());
    StatusAssert direct = GrpcAssertions.assertThat(checked).withFieldViolation("id");
    assertThat(direct.details(ErrorInfo.class))
        .singleElement()
        .extracting(ErrorInfo::getDomain)
        .isEqualTo("example.com");
    assertThat(direct.trailers().get(RichErrorService.TRACE_KEY))
        .isEqualTo(RichErrorService.TRACE_ID);
    assertThat(direct.status().getCode()).isEqualTo(Status.Code.NOT_FOUND);

    GrpcAssertions.assertThat(Status.ABORTED, null).hasCode(Status.Code.ABORTED).withoutDetails();
  }

  @Test
  void detailsWhoseCodeDisagreesWithTheStatusAreFlagged() {
    Metadata trailers = new Metadata();
    trailers.put(StatusReport.DETAILS_KEY, RichErrorService.richStatus());

    assertThatThrownBy(() -> GrpcAssertions.assertThat(Status.INTERNAL, trailers).withoutDetails())
        .hasMessageContaining("(grpc-status-details-bin has code 5 but the status is INTERNAL)");
  }
}
