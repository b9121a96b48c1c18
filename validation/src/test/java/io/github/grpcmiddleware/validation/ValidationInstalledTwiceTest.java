package io.github.grpcmiddleware.validation;

import static io.github.grpcmiddleware.testing.GrpcAssertions.assertThatCall;
import static org.assertj.core.api.Assertions.assertThat;

import build.buf.protovalidate.Validator;
import build.buf.protovalidate.ValidatorFactory;
import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.validation.proto.Order;
import io.github.grpcmiddleware.validation.proto.OrderServiceGrpc;
import io.github.grpcmiddleware.validation.proto.UploadReply;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The same validation interceptor installed twice (server-wide and per service, or twice in a row)
 * checks each message once, as DESIGN.md's "installed twice is the same as installed once" asks.
 */
class ValidationInstalledTwiceTest {

  /** A real protovalidate validator that counts the messages it checks. */
  static final class CountingValidator implements Validator {
    final AtomicInteger checked = new AtomicInteger();
    private final Validator real = ValidatorFactory.newBuilder().build();

    @Override
    public build.buf.protovalidate.ValidationResult validate(com.google.protobuf.Message message)
        throws build.buf.protovalidate.exceptions.ValidationException {
      checked.incrementAndGet();
      return real.validate(message);
    }
  }

  private static UploadReply upload(OrderServiceGrpc.OrderServiceStub stub, int count)
      throws Exception {
    Recorder<UploadReply> replies = new Recorder<>();
    StreamObserver<Order> requests = stub.uploadOrders(replies);
    for (int i = 0; i < count; i++) {
      requests.onNext(Orders.valid().build());
    }
    requests.onCompleted();
    assertThat(replies.await()).isNull();
    return replies.values.get(0);
  }

  @Nested
  class TwiceAlone {
    private final CountingValidator validator = new CountingValidator();
    private final ServerInterceptor validation =
        Validation.serverBuilder().validator(validator).build();
    private final OrderService service = new OrderService();

    @RegisterExtension
    final GrpcServerExtension grpc =
        GrpcServerExtension.builder().service(service).interceptor(validation, validation).build();

    @Test
    void aUnaryRequestIsCheckedOnce() {
      assertThat(grpc.stub(OrderServiceGrpc::newBlockingStub).placeOrder(Orders.valid().build()))
          .extracting(reply -> reply.getName())
          .isEqualTo("Tea");

      assertThat(validator.checked).hasValue(1);
    }

    @Test
    void eachStreamedRequestIsCheckedOnce() throws Exception {
      assertThat(upload(grpc.stub(OrderServiceGrpc::newStub), 3).getReceived()).isEqualTo(3);

      assertThat(validator.checked).hasValue(3);
    }

    @Test
    void anInvalidRequestIsRejectedOnceWithItsViolations() {
      Order noName = Orders.valid().setName("").build();

      assertThat(
              Orders.violations(
                  assertThatCall(
                          () -> grpc.stub(OrderServiceGrpc::newBlockingStub).placeOrder(noName))
                      .failsWith(Status.Code.INVALID_ARGUMENT)))
          .containsOnlyKeys("name");
      assertThat(validator.checked).hasValue(1);
      assertThat(service.received).isEmpty();
    }
  }

  @Nested
  class InAChainAndServerWide {
    private final CountingValidator validator = new CountingValidator();
    private final ServerInterceptor validation =
        Validation.serverBuilder().validator(validator).build();

    @RegisterExtension
    final GrpcServerExtension grpc =
        GrpcServerExtension.builder()
            .service(new OrderService())
            .interceptor(validation, ServerChain.builder().validation(validation).build())
            .build();

    @Test
    void eachRequestIsCheckedOnce() throws Exception {
      grpc.stub(OrderServiceGrpc::newBlockingStub).placeOrder(Orders.valid().build());
      assertThat(upload(grpc.stub(OrderServiceGrpc::newStub), 2).getReceived()).isEqualTo(2);

      assertThat(validator.checked).hasValue(3);
    }
  }

  @Nested
  class TwoDifferentInterceptors {
    private final CountingValidator first = new CountingValidator();
    private final CountingValidator second = new CountingValidator();

    @RegisterExtension
    final GrpcServerExtension grpc =
        GrpcServerExtension.builder()
            .service(new OrderService())
            .interceptor(
                Validation.serverBuilder().validator(first).build(),
                Validation.serverBuilder().validator(second).build())
            .build();

    @Test
    void eachChecksTheRequest() {
      grpc.stub(OrderServiceGrpc::newBlockingStub).placeOrder(Orders.valid().build());

      // Two configurations (say, different rules or validators) are two parts: both run.
      assertThat(first.checked).hasValue(1);
      assertThat(second.checked).hasValue(1);
    }
  }
}
