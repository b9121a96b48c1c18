package io.github.grpcmiddleware.errors;

import static io.github.grpcmiddleware.errors.ErrorTestSupport.DETAILS;
import static io.github.grpcmiddleware.errors.ErrorTestSupport.TRACE_ID;
import static io.github.grpcmiddleware.errors.ErrorTestSupport.TRACE_ID_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testsupport.Rpcs;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ErrorReportTest {
  @RegisterExtension
  final LogCapture logs = LogCapture.forLogger(ErrorReport.class).atLevel("DEBUG");

  private final FailingService service = new FailingService();

  @RegisterExtension final GrpcServerExtension grpc = ErrorTestSupport.mappedServer(service);

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void decodesEverythingTheServerSent(Rpcs rpc) {
    service.failure =
        () ->
            ServiceException.builder(Status.Code.INVALID_ARGUMENT, "k")
                .defaultMessage("Bad request")
                .errorInfo("BAD", "example.com", Collections.singletonMap("x", "y"))
                .fieldViolation("name", "must not be empty")
                .retryDelay(Duration.ofSeconds(3))
                .build();

    ErrorReport report = ErrorReport.from(rpc.fail(grpc.channel()));

    assertThat(report.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(report.description()).isEqualTo("Bad request");
    assertThat(report.localizedMessage()).isEqualTo("Bad request");
    assertThat(report.locale()).isEqualTo("en");
    assertThat(report.errorInfo()).extracting(i -> i.getReason()).isEqualTo("BAD");
    assertThat(report.fieldViolations()).hasSize(1);
    assertThat(report.fieldViolations().get(0).getField()).isEqualTo("name");
    assertThat(report.retryDelay()).isEqualTo(Duration.ofSeconds(3));
    assertThat(report.traceId()).isEqualTo(TRACE_ID);
    assertThat(report.toString())
        .isEqualTo(
            "INVALID_ARGUMENT: Bad request [trace "
                + TRACE_ID
                + ", reason BAD (example.com), field name: must not be empty, retry after 3000 ms]");
  }

  @Test
  void malformedDetailsNeverThrow() {
    Metadata garbage = new Metadata();
    garbage.put(DETAILS, new byte[] {(byte) 0xff, 0x01, 0x02});
    ErrorReport report = ErrorReport.from(Status.INTERNAL.asRuntimeException(garbage));
    assertThat(report.code()).isEqualTo(Status.Code.INTERNAL);
    assertThat(report.localizedMessage()).isNull();

    Metadata badAny = new Metadata();
    badAny.put(
        DETAILS,
        com.google.rpc.Status.newBuilder()
            .setCode(3)
            .addDetails(
                Any.newBuilder()
                    .setTypeUrl("type.googleapis.com/google.rpc.ErrorInfo")
                    .setValue(ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff})))
            .addDetails(Any.newBuilder().setTypeUrl("type.googleapis.com/unknown.Type"))
            .build()
            .toByteArray());
    badAny.put(TRACE_ID_KEY, TRACE_ID);
    ErrorReport partial =
        ErrorReport.from(Status.INVALID_ARGUMENT.withDescription("a\r\nb").asException(badAny));
    assertThat(partial.errorInfo()).isNull();
    assertThat(partial.undecodedDetails()).isEqualTo(2);
    assertThat(partial.traceId()).isEqualTo(TRACE_ID);
    assertThat(partial.toString()).doesNotContain("\n").contains("a\\u000d\\u000ab");

    assertThat(ErrorReport.from(new IllegalStateException("not grpc")).code())
        .isEqualTo(Status.Code.UNKNOWN);
  }

  @Test
  void loggingClientInterceptorLogsFailedCallsWithTheServersTraceId() {
    StatusRuntimeException e = Rpcs.UNARY.fail(grpc.channel(ErrorMapping.newClientInterceptor()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(logs.events("WARN")).hasSize(1);
    assertThat(logs.events("WARN").get(0).message())
        .contains("grpc.testing.SimpleService/UnaryRpc", "INTERNAL", "trace " + TRACE_ID);
  }
}
