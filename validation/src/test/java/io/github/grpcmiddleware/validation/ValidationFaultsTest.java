package io.github.grpcmiddleware.validation;

import static io.github.grpcmiddleware.testing.GrpcAssertions.assertThatCall;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.github.grpcmiddleware.trace.TraceIds;
import io.github.grpcmiddleware.validation.proto.BrokenRule;
import io.github.grpcmiddleware.validation.proto.Division;
import io.github.grpcmiddleware.validation.proto.Order;
import io.github.grpcmiddleware.validation.proto.OrderReply;
import io.github.grpcmiddleware.validation.proto.OrderServiceGrpc;
import io.grpc.Status;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Rules that cannot be compiled or evaluated, and bad responses: INTERNAL, logged once. */
class ValidationFaultsTest {
  private static final OrderService service = new OrderService();

  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(service)
          .interceptor(
              ServerChain.builder()
                  .tracing(TraceIds.newServerInterceptor())
                  .errorMapping(ErrorMapping.serverBuilder().build())
                  .validation(Validation.serverBuilder().validateResponses(true).build())
                  .build())
          .build();

  @RegisterExtension final LogCapture logs = LogCapture.forRootLogger();

  @BeforeEach
  void clear() {
    service.received.clear();
  }

  private List<LoggedEvent> errors() {
    return logs.events().stream()
        .filter(e -> e.level().equals("ERROR"))
        .collect(Collectors.toList());
  }

  @Test
  void rulesThatDoNotCompileFailWithInternalAndOneErrorLine() {
    OrderServiceGrpc.OrderServiceBlockingStub stub = grpc.stub(OrderServiceGrpc::newBlockingStub);
    for (int i = 0; i < 3; i++) {
      assertThatCall(() -> stub.broken(BrokenRule.newBuilder().setN(1).build()))
          .failsWith(Status.Code.INTERNAL)
          .withDescriptionContaining("Internal error. Please report trace id")
          .withoutTextAnywhere("this.n")
          .withoutTextAnywhere("compil")
          .withoutTextAnywhere("Exception");
    }

    LoggedEvent line = logs.await(e -> e.level().equals("ERROR"), Duration.ofSeconds(5));
    assertThat(line.message())
        .contains(
            "validationtest.BrokenRule", "do not compile", "validationtest.OrderService/Broken");
    assertThat(line.throwable()).isNull();
    assertThat(errors()).hasSize(1);
    assertThat(service.received).isEmpty();
  }

  @Test
  void aCelErrorFailsWithInternalLoggedOncePerType() {
    OrderServiceGrpc.OrderServiceBlockingStub stub = grpc.stub(OrderServiceGrpc::newBlockingStub);
    Division byZero = Division.newBuilder().setDividend(1).setDivisor(0).build();
    for (int i = 0; i < 2; i++) {
      assertThatCall(() -> stub.divide(byZero))
          .failsWith(Status.Code.INTERNAL)
          .withoutTextAnywhere("divi");
    }
    assertThatCall(() -> stub.divide(Division.newBuilder().setDividend(2).setDivisor(1).build()))
        .succeeds();
    assertThatCall(() -> stub.divide(Division.newBuilder().setDividend(-2).setDivisor(1).build()))
        .failsWith(Status.Code.INVALID_ARGUMENT)
        .withFieldViolation("", "dividend / divisor must be positive");

    LoggedEvent line = logs.await(e -> e.level().equals("ERROR"), Duration.ofSeconds(5));
    assertThat(line.message()).contains("validationtest.Division", "could not be evaluated");
    assertThat(errors()).hasSize(1);
  }

  @Test
  void aBadUnaryResponseIsInternalAndLoggedWithoutValues() {
    OrderServiceGrpc.OrderServiceBlockingStub stub = grpc.stub(OrderServiceGrpc::newBlockingStub);
    Order order = Orders.valid().setName("bad-reply").setEmail("secret@example.com").build();

    assertThatCall(() -> stub.placeOrder(order))
        .failsWith(Status.Code.INTERNAL)
        .withLocalizedMessageContaining("en", "Internal error.")
        .withoutTextAnywhere("min_len")
        .withoutTextAnywhere("secret@example.com");

    LoggedEvent line = logs.await(e -> e.level().equals("ERROR"), Duration.ofSeconds(5));
    assertThat(line.message())
        .contains("validationtest.OrderService/PlaceOrder", "1 violation(s): name string.min_len")
        .doesNotContain("secret@example.com", "bad-reply");
    assertThat(errors()).hasSize(1);
  }

  @Test
  void aBadStreamedResponseEndsTheStreamAfterTheGoodOnes() {
    Iterator<OrderReply> replies =
        grpc.stub(OrderServiceGrpc::newBlockingStub)
            .watchOrders(Orders.valid().setName("bad-reply").build());

    assertThat(replies.next().getName()).isEqualTo("first");
    assertThatCall(replies::next).failsWith(Status.Code.INTERNAL);
  }

  @Test
  void validResponsesPass() {
    assertThat(
            grpc.stub(OrderServiceGrpc::newBlockingStub)
                .placeOrder(Orders.valid().build())
                .getName())
        .isEqualTo("Tea");
    assertThat(errors()).isEmpty();
  }
}
