package io.github.grpcmiddleware.errors;

import static io.github.grpcmiddleware.errors.ErrorTestSupport.TRACE_ID_KEY;
import static io.github.grpcmiddleware.errors.ErrorTestSupport.detail;
import static io.github.grpcmiddleware.errors.ErrorTestSupport.trailers;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.LocalizedMessage;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.github.grpcmiddleware.testsupport.Rpcs;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Error mapping with no trace part in the chain: its message and log say so, never "null". */
class ErrorMappingNoTraceIdTest {
  @RegisterExtension
  final LogCapture logs = LogCapture.forLogger(ErrorMapping.class).atLevel("DEBUG");

  @RegisterExtension
  final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new FailingService())
          .interceptor(ErrorMapping.serverBuilder().build())
          .build();

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void internalMessageAndLogSayThereIsNoTraceId(Rpcs rpc) throws Exception {
    StatusRuntimeException e = rpc.fail(grpc.channel());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription())
        .isEqualTo(
            "Internal error. The call has no trace id;"
                + " please report the time of the call to the service owner.");
    assertThat(detail(e, LocalizedMessage.class).getMessage())
        .isEqualTo(e.getStatus().getDescription());
    assertThat(trailers(e).get(TRACE_ID_KEY)).isNull();

    List<LoggedEvent> errors = logs.events("ERROR");
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).message())
        .endsWith("failed with INTERNAL (no trace id)")
        .doesNotContain("null");
  }
}
