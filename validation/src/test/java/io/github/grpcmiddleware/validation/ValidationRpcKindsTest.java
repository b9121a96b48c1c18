package io.github.grpcmiddleware.validation;

import static io.github.grpcmiddleware.testing.GrpcAssertions.assertThat;
import static io.github.grpcmiddleware.testing.GrpcAssertions.assertThatCall;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.validation.proto.Order;
import io.github.grpcmiddleware.validation.proto.OrderReply;
import io.github.grpcmiddleware.validation.proto.OrderServiceGrpc;
import io.github.grpcmiddleware.validation.proto.UploadReply;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Iterator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every RPC kind through error mapping and validation on a real in-process server. */
class ValidationRpcKindsTest {
  private static final OrderService service = new OrderService();

  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(service)
          .interceptor(
              ServerChain.builder()
                  .errorMapping(ErrorMapping.serverBuilder().build())
                  .validation(Validation.newServerInterceptor())
                  .build())
          .build();

  private static final Order VALID = Orders.valid().build();
  private static final Order NO_NAME = Orders.valid().setName("").build();

  @BeforeEach
  void clear() {
    service.received.clear();
  }

  @Test
  void unaryValidRequestReachesTheService() {
    OrderReply reply = grpc.stub(OrderServiceGrpc::newBlockingStub).placeOrder(VALID);

    assertThat(reply.getName()).isEqualTo("Tea");
    assertThat(service.received).containsExactly(VALID);
  }

  @Test
  void unaryInvalidRequestIsRejectedBeforeTheService() {
    OrderServiceGrpc.OrderServiceBlockingStub stub = grpc.stub(OrderServiceGrpc::newBlockingStub);

    assertThatCall(() -> stub.placeOrder(NO_NAME))
        .failsWith(Status.Code.INVALID_ARGUMENT)
        .withDescription("The request is invalid.")
        .withFieldViolation("name", "Length must be at least 1.");
    assertThat(service.received).isEmpty();
  }

  @Test
  void serverStreamingInvalidRequestGetsNoResponse() throws Exception {
    Recorder<OrderReply> replies = new Recorder<>();
    grpc.stub(OrderServiceGrpc::newStub).watchOrders(NO_NAME, replies);

    assertThat(replies.awaitFailure())
        .hasCode(Status.Code.INVALID_ARGUMENT)
        .withFieldViolation("name");
    assertThat(replies.values).isEmpty();
    assertThat(service.received).isEmpty();
  }

  @Test
  void serverStreamingValidRequestStreams() {
    Iterator<OrderReply> replies = grpc.stub(OrderServiceGrpc::newBlockingStub).watchOrders(VALID);

    assertThat(replies)
        .toIterable()
        .extracting(OrderReply::getName)
        .containsExactly("first", "Tea");
  }

  @Test
  void clientStreamingViolationInFirstMessageReachesNothing() throws Exception {
    Recorder<UploadReply> reply = new Recorder<>();
    StreamObserver<Order> requests = grpc.stub(OrderServiceGrpc::newStub).uploadOrders(reply);
    requests.onNext(NO_NAME);
    requests.onNext(VALID);
    requests.onNext(VALID);
    requests.onCompleted();

    assertThat(reply.awaitFailure())
        .hasCode(Status.Code.INVALID_ARGUMENT)
        .withFieldViolation("name");
    assertThat(service.received).isEmpty();
  }

  @Test
  void clientStreamingViolationInThirdMessageDropsItAndTheRest() throws Exception {
    Recorder<UploadReply> reply = new Recorder<>();
    StreamObserver<Order> requests = grpc.stub(OrderServiceGrpc::newStub).uploadOrders(reply);
    requests.onNext(VALID);
    requests.onNext(VALID);
    requests.onNext(NO_NAME);
    requests.onNext(VALID);
    requests.onNext(VALID);
    requests.onCompleted();

    assertThat(reply.awaitFailure())
        .hasCode(Status.Code.INVALID_ARGUMENT)
        .withFieldViolation("name", "Length must be at least 1.");
    assertThat(reply.values).isEmpty();
    assertThat(service.received).containsExactly(VALID, VALID);
  }

  @Test
  void clientStreamingValidMessagesAreAllCounted() throws Exception {
    Recorder<UploadReply> reply = new Recorder<>();
    StreamObserver<Order> requests = grpc.stub(OrderServiceGrpc::newStub).uploadOrders(reply);
    for (int i = 0; i < 3; i++) {
      requests.onNext(VALID);
    }
    requests.onCompleted();

    assertThat((Object) reply.await()).isNull();
    assertThat(reply.values).extracting(UploadReply::getReceived).containsExactly(3);
  }

  @Test
  void bidiViolationInFirstMessageReachesNothing() throws Exception {
    Recorder<OrderReply> replies = new Recorder<>();
    StreamObserver<Order> requests = grpc.stub(OrderServiceGrpc::newStub).syncOrders(replies);
    requests.onNext(NO_NAME);
    requests.onNext(VALID);
    requests.onCompleted();

    assertThat(replies.awaitFailure()).hasCode(Status.Code.INVALID_ARGUMENT);
    assertThat(replies.values).isEmpty();
    assertThat(service.received).isEmpty();
  }

  @Test
  void bidiViolationInThirdMessageEndsTheCallAfterTwoEchoes() throws Exception {
    Recorder<OrderReply> replies = new Recorder<>();
    StreamObserver<Order> requests = grpc.stub(OrderServiceGrpc::newStub).syncOrders(replies);
    requests.onNext(VALID);
    requests.onNext(Orders.valid().setName("Milk").build());
    requests.onNext(NO_NAME);
    requests.onNext(VALID);
    requests.onCompleted();

    assertThat(replies.awaitFailure())
        .hasCode(Status.Code.INVALID_ARGUMENT)
        .withFieldViolation("name");
    assertThat(replies.values).extracting(OrderReply::getName).containsExactly("Tea", "Milk");
    assertThat(service.received).hasSize(2);
  }
}
