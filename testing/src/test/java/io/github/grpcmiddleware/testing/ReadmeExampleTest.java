package io.github.grpcmiddleware.testing;

import static io.github.grpcmiddleware.testing.GrpcAssertions.assertThatCall;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The example in the README's "Testing your service" section, copied verbatim from here. */
class ReadmeExampleTest {
  /** The service under test: greets by name, refuses an empty one. */
  static final class GreeterService extends SimpleServiceGrpc.SimpleServiceImplBase {
    private static final Logger log = LoggerFactory.getLogger(GreeterService.class);

    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
      String name = request.getRequestMessage();
      if (name.isEmpty()) {
        responses.onError(
            Status.INVALID_ARGUMENT.withDescription("name is required").asRuntimeException());
        return;
      }
      log.info("greeting {}", name);
      responses.onNext(SimpleResponse.newBuilder().setResponseMessage("Hello " + name).build());
      responses.onCompleted();
    }
  }

  // [START testing_example]
  final ServerCallCapture serverSide = ServerCallCapture.create();

  @RegisterExtension // instance field: a fresh in-process server for each test
  final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new GreeterService())
          .interceptor(serverSide.interceptor()) // your interceptors go before it
          .build();

  @RegisterExtension final LogCapture logs = LogCapture.forLogger(GreeterService.class);

  @Test
  void greetsWithTheCallersToken() {
    SimpleServiceGrpc.SimpleServiceBlockingStub stub =
        grpc.stub(SimpleServiceGrpc::newBlockingStub)
            .withCallCredentials(TestCredentials.bearer("test-token"));

    SimpleResponse reply =
        stub.unaryRpc(SimpleRequest.newBuilder().setRequestMessage("Ada").build());

    assertThat(reply.getResponseMessage()).isEqualTo("Hello Ada");
    assertThat(serverSide.lastCall().header("authorization")).isEqualTo("Bearer test-token");
    assertThat(logs.await(e -> e.message().equals("greeting Ada"), Duration.ofSeconds(5)).level())
        .isEqualTo("INFO");
  }

  @Test
  void refusesAnEmptyName() {
    SimpleServiceGrpc.SimpleServiceBlockingStub stub =
        grpc.stub(SimpleServiceGrpc::newBlockingStub);

    assertThatCall(() -> stub.unaryRpc(SimpleRequest.getDefaultInstance()))
        .failsWith(Status.Code.INVALID_ARGUMENT)
        .withDescriptionContaining("required")
        .withoutDetails();
  }

  // [END testing_example]
}
