package io.github.grpcmiddleware.errors;

import static io.github.grpcmiddleware.errors.ErrorTestSupport.CONTENT_LANGUAGE;
import static io.github.grpcmiddleware.errors.ErrorTestSupport.TRACE_ID;
import static io.github.grpcmiddleware.errors.ErrorTestSupport.TRACE_ID_KEY;
import static io.github.grpcmiddleware.errors.ErrorTestSupport.clientVisible;
import static io.github.grpcmiddleware.errors.ErrorTestSupport.detail;
import static io.github.grpcmiddleware.errors.ErrorTestSupport.detailTypes;
import static io.github.grpcmiddleware.errors.ErrorTestSupport.details;
import static io.github.grpcmiddleware.errors.ErrorTestSupport.trailers;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.LocalizedMessage;
import com.google.rpc.PreconditionFailure;
import com.google.rpc.ResourceInfo;
import com.google.rpc.RetryInfo;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.github.grpcmiddleware.testsupport.Rpcs;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.testing.protobuf.SimpleRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ErrorMappingDefaultsTest {
  @RegisterExtension
  final LogCapture logs = LogCapture.forLogger(ErrorMapping.class).atLevel("DEBUG");

  private final FailingService service = new FailingService();

  @RegisterExtension final GrpcServerExtension grpc = ErrorTestSupport.mappedServer(service);

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void unknownExceptionBecomesInternalWithTraceIdAndNoExceptionText(Rpcs rpc) throws Exception {
    StatusRuntimeException e = rpc.fail(grpc.channel());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription())
        .isEqualTo("Internal error. Please report trace id " + TRACE_ID + " to the service owner.");
    assertThat(trailers(e).get(TRACE_ID_KEY)).isEqualTo(TRACE_ID);
    assertThat(trailers(e).get(CONTENT_LANGUAGE)).isEqualTo("en");
    assertThat(detail(e, LocalizedMessage.class))
        .isEqualTo(
            LocalizedMessage.newBuilder()
                .setLocale("en")
                .setMessage(e.getStatus().getDescription())
                .build());
    assertThat(details(e).getCode()).isEqualTo(Status.Code.INTERNAL.value());
    assertThat(clientVisible(e))
        .doesNotContain("secret", "hunter2", "IllegalStateException", "FailingService");

    List<LoggedEvent> errors = logs.events("ERROR");
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).mdc()).containsEntry("traceId", TRACE_ID);
    assertThat(errors.get(0).throwable()).hasMessageContaining("hunter2");
    assertThat(errors.get(0).message()).contains(TRACE_ID);
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void jdkExceptionsAreInternalByDefault(Rpcs rpc) {
    service.failure = () -> new NumberFormatException("For input string: \"abc\"");

    StatusRuntimeException e = rpc.fail(grpc.channel());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription()).doesNotContain("abc");
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void serviceExceptionSendsCodeMessageAndEveryDetail(Rpcs rpc) throws Exception {
    service.failure =
        () ->
            ServiceException.builder(Status.Code.FAILED_PRECONDITION, "order.locked")
                .args(42)
                .defaultMessage("Order {0,number,#} is locked by ''{1}''")
                .args(42, "bob")
                .errorInfo("ORDER_LOCKED", "orders.example.com", Map.of("order", "42"))
                .fieldViolation("order.id", "locked")
                .preconditionViolation("LOCK", "orders/42", "unlock it first")
                .resourceInfo("example.com/Order", "orders/42", "bob", "locked")
                .retryDelay(Duration.ofMillis(1500))
                .detail(SimpleRequest.newBuilder().setRequestMessage("extra").build())
                .cause(new IllegalStateException("secret"))
                .build();
    StatusRuntimeException e = rpc.fail(grpc.channel());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(e.getStatus().getDescription()).isEqualTo("Order 42 is locked by 'bob'");
    assertThat(detailTypes(e))
        .containsExactly(
            "google.rpc.ErrorInfo",
            "google.rpc.BadRequest",
            "google.rpc.PreconditionFailure",
            "google.rpc.ResourceInfo",
            "google.rpc.RetryInfo",
            "grpc.testing.SimpleRequest",
            "google.rpc.LocalizedMessage");
    assertThat(detail(e, ErrorInfo.class).getMetadataMap()).containsEntry("order", "42");
    assertThat(detail(e, BadRequest.class).getFieldViolations(0).getField()).isEqualTo("order.id");
    assertThat(detail(e, PreconditionFailure.class).getViolations(0).getSubject())
        .isEqualTo("orders/42");
    assertThat(detail(e, ResourceInfo.class).getOwner()).isEqualTo("bob");
    assertThat(detail(e, RetryInfo.class).getRetryDelay().getNanos()).isEqualTo(500_000_000);
    assertThat(detail(e, LocalizedMessage.class).getMessage())
        .isEqualTo("Order 42 is locked by 'bob'");
    assertThat(details(e).getMessage()).isEqualTo(e.getStatus().getDescription());
    assertThat(clientVisible(e)).doesNotContain("secret");
    assertThat(logs.events("ERROR")).isEmpty();
    assertThat(logs.events("DEBUG")).hasSize(1);
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void serviceExceptionWithoutDefaultMessageUsesTheCodesGenericMessage(Rpcs rpc) {
    service.failure = () -> ServiceException.builder(Status.Code.NOT_FOUND, "user.gone").build();

    StatusRuntimeException e = rpc.fail(grpc.channel());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(e.getStatus().getDescription()).isEqualTo("The requested resource was not found.");
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void statusRuntimeExceptionPassesThroughWithTrailers(Rpcs rpc) {
    Metadata.Key<String> custom = Metadata.Key.of("x-custom", Metadata.ASCII_STRING_MARSHALLER);
    service.failure =
        () -> {
          Metadata trailers = new Metadata();
          trailers.put(custom, "kept");
          return Status.ALREADY_EXISTS.withDescription("user exists").asRuntimeException(trailers);
        };
    StatusRuntimeException e = rpc.fail(grpc.channel());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(e.getStatus().getDescription()).isEqualTo("user exists");
    assertThat(trailers(e).get(custom)).isEqualTo("kept");
    assertThat(logs.events("ERROR")).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void statusExceptionViaOnErrorPassesThroughWithTrailers(Rpcs rpc) {
    Metadata.Key<String> custom = Metadata.Key.of("x-custom", Metadata.ASCII_STRING_MARSHALLER);
    service.viaOnError = true;
    service.failure =
        () -> {
          Metadata trailers = new Metadata();
          trailers.put(custom, "kept");
          return new StatusException(Status.UNAVAILABLE.withDescription("try later"), trailers);
        };

    StatusRuntimeException e = rpc.fail(grpc.channel());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription()).isEqualTo("try later");
    assertThat(trailers(e).get(custom)).isEqualTo("kept");
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void unknownExceptionViaOnErrorIsMappedLikeAThrownOne(Rpcs rpc) throws Exception {
    service.viaOnError = true;
    StatusRuntimeException e = rpc.fail(grpc.channel());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription()).contains(TRACE_ID);
    assertThat(clientVisible(e)).doesNotContain("hunter2");
    assertThat(logs.events("ERROR")).hasSize(1);
  }
}
