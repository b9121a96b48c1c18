package io.github.grpcmiddleware.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.ErrorInfo;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The README's "Error mapping" example, compiled and run. */
class ErrorsExampleTest {

  // [START errors_example]
  static final class UserNotFoundException extends RuntimeException {
    final String id;

    UserNotFoundException(String id) {
      super("no row for user " + id); // for logs only, never sent
      this.id = id;
    }
  }

  static final class UserService extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
      if (request.getRequestMessage().isEmpty()) {
        throw ServiceException.builder(Status.Code.INVALID_ARGUMENT, "user.idMissing")
            .defaultMessage("A user id is required")
            .fieldViolation("request_message", "must not be empty")
            .build();
      }
      throw new UserNotFoundException(request.getRequestMessage());
    }
  }

  static ServerInterceptor errorMapping() {
    return ErrorMapping.serverBuilder()
        .on(
            UserNotFoundException.class,
            e ->
                ServiceException.builder(Status.Code.NOT_FOUND, "user.notFound")
                    .args(e.id)
                    .defaultMessage("User {0} does not exist")
                    .errorInfo("USER_NOT_FOUND", "users.example.com", Collections.emptyMap())
                    .build())
        // .messageResolver(...)  the i18n module's resolver, for the caller's language
        .build();
  }

  // Client side: any StatusRuntimeException becomes a readable report.
  static String describe(StatusRuntimeException e) {
    ErrorReport report = ErrorReport.from(e);
    ErrorInfo info = report.errorInfo(); // null when the server sent none
    return report.code()
        + " "
        + report.localizedMessage()
        + " "
        + (info == null ? "-" : info.getReason());
  }

  // [END errors_example]

  @RegisterExtension
  final GrpcServerExtension grpc =
      GrpcServerExtension.builder().service(new UserService()).interceptor(errorMapping()).build();

  @Test
  void exampleWorks() {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                SimpleServiceGrpc.newBlockingStub(grpc.channel())
                    .unaryRpc(SimpleRequest.newBuilder().setRequestMessage("7").build()));

    assertThat(e.getStatus().getDescription()).isEqualTo("User 7 does not exist");
    assertThat(describe(e)).isEqualTo("NOT_FOUND User 7 does not exist USER_NOT_FOUND");
  }
}
