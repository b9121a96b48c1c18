package io.github.grpcmiddleware.validation;

import static io.github.grpcmiddleware.testing.GrpcAssertions.assertThatCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import build.buf.protovalidate.ValidatorFactory;
import io.github.grpcmiddleware.auth.Auth;
import io.github.grpcmiddleware.auth.Authenticators;
import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.TestCredentials;
import io.github.grpcmiddleware.validation.proto.Order;
import io.github.grpcmiddleware.validation.proto.OrderServiceGrpc;
import io.github.grpcmiddleware.validation.proto.Plain;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Validation's place in the chain, on its own, per method, and its builder. */
class ValidationSetupTest {
  private static final Order NO_NAME = Orders.valid().setName("").build();

  @Nested
  class AfterAuth {
    private final OrderService service = new OrderService();

    @RegisterExtension
    final GrpcServerExtension grpc =
        GrpcServerExtension.builder()
            .service(service)
            .interceptor(
                ServerChain.builder()
                    // Given before auth on purpose: the chain puts it after auth anyway.
                    .validation(Validation.newServerInterceptor())
                    .auth(
                        Auth.serverBuilder()
                            .authenticator(Authenticators.bearerTokens(Map.of("demo-token", "ada")))
                            .build())
                    .errorMapping(ErrorMapping.serverBuilder().build())
                    .build())
            .build();

    @Test
    void unauthenticatedCallersNeverReachValidation() {
      OrderServiceGrpc.OrderServiceBlockingStub stub = grpc.stub(OrderServiceGrpc::newBlockingStub);

      assertThatCall(() -> stub.placeOrder(NO_NAME))
          .failsWith(Status.Code.UNAUTHENTICATED)
          .withoutTextAnywhere("name");
      assertThatCall(
              () -> stub.withCallCredentials(TestCredentials.bearer("wrong")).placeOrder(NO_NAME))
          .failsWith(Status.Code.UNAUTHENTICATED);
      assertThat(service.received).isEmpty();
    }

    @Test
    void authenticatedCallersAreValidated() {
      OrderServiceGrpc.OrderServiceBlockingStub stub =
          grpc.stub(OrderServiceGrpc::newBlockingStub)
              .withCallCredentials(TestCredentials.bearer("demo-token"));

      assertThatCall(() -> stub.placeOrder(NO_NAME))
          .failsWith(Status.Code.INVALID_ARGUMENT)
          .withFieldViolation("name");
      assertThat(stub.placeOrder(Orders.valid().build()).getName()).isEqualTo("Tea");
    }
  }

  @Nested
  class Alone {
    private final OrderService service = new OrderService();

    @RegisterExtension
    final GrpcServerExtension grpc =
        GrpcServerExtension.builder()
            .service(service)
            .interceptor(
                Validation.serverBuilder()
                    .messageResolver(ValidationMessagesTest.MESSAGES)
                    .validator(ValidatorFactory.newBuilder().build())
                    .build())
            .build();

    @Test
    void rendersStatusDetailsAndLanguageItself() {
      assertThat(
              Orders.violations(
                  assertThatCall(
                          () -> grpc.stub(OrderServiceGrpc::newBlockingStub).placeOrder(NO_NAME))
                      .failsWith(Status.Code.INVALID_ARGUMENT)
                      .withDescription("The request is invalid.")
                      .withLocalizedMessage("en", "The request is invalid.")
                      .withTrailer("content-language", "en")))
          .containsOnly(Map.entry("name", "Length must be at least 1."));
    }

    @Test
    void aMessageTypeWithoutRulesPassesUntouched() {
      Plain plain = Plain.newBuilder().setText("").build();

      assertThat(grpc.stub(OrderServiceGrpc::newBlockingStub).echo(plain)).isEqualTo(plain);
      assertThat(service.received).containsExactly(plain);
    }
  }

  @Nested
  class PerMethod {
    private final OrderService service = new OrderService();

    @RegisterExtension
    final GrpcServerExtension grpc =
        GrpcServerExtension.builder()
            .service(service)
            .interceptor(
                Validation.serverBuilder()
                    .methods(MethodSelector.of("validationtest.OrderService/Upload*"))
                    .build())
            .build();

    @BeforeEach
    void clear() {
      service.received.clear();
    }

    @Test
    void methodsLeftOutAreNotValidated() {
      assertThat(grpc.stub(OrderServiceGrpc::newBlockingStub).placeOrder(NO_NAME).getName())
          .isEmpty();
      assertThat(service.received).containsExactly(NO_NAME);
    }
  }

  @Test
  void typesWithoutRulesAreKnownAfterOneScan() {
    MessageChecks checks = new MessageChecks(ValidatorFactory.newBuilder().build());

    assertThat(checks.forType(Plain.getDescriptor()).hasRules).isFalse();
    assertThat(checks.forType(Plain.getDescriptor()))
        .isSameAs(checks.forType(Plain.getDescriptor()));
    assertThat(checks.forType(Order.getDescriptor()).hasRules).isTrue();
    // Rules only on a nested message still count for the outer one.
    assertThat(
            checks.forType(io.github.grpcmiddleware.validation.proto.Envelope.getDescriptor())
                .hasRules)
        .isTrue();
    assertThat(
            checks.forType(io.github.grpcmiddleware.validation.proto.UploadReply.getDescriptor())
                .hasRules)
        .isFalse();
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose
  void builderRejectsBadSettings() {
    assertThatThrownBy(() -> Validation.serverBuilder().trailerBudget(100).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("trailerBudget: 100 (expected: >= 512)");
    assertThatThrownBy(() -> Validation.serverBuilder().methods((MethodSelector) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("selector");
    assertThatThrownBy(
            () ->
                Validation.serverBuilder()
                    .messageResolver((io.github.grpcmiddleware.errors.MessageResolver) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("resolver");
    assertThatThrownBy(
            () -> Validation.serverBuilder().validator((build.buf.protovalidate.Validator) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("protovalidate");
    assertThatThrownBy(() -> Validation.messageKey(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("ruleId");
    ServerInterceptor interceptor = Validation.newServerInterceptor();
    assertThat(interceptor).isNotNull();
  }

  @Test
  void aRuntimeWithoutProtovalidateSupportIsNamedAtBuildTime() {
    assertThat(ProtobufRuntime.version()).startsWith("4.");
    assertThatThrownBy(() -> ProtobufRuntime.check("no.such.ValidateProto"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("protobuf-java: " + ProtobufRuntime.version())
        .hasMessageContaining("(expected: 4.36.0 or newer for protovalidate;");
  }

  @Test
  void numericRuleIdsShareOneKeyPerKind() {
    assertThat(Validation.messageKey("int32.gt")).isEqualTo("grpcmiddleware.validation.number.gt");
    assertThat(Validation.messageKey("double.gte_lte"))
        .isEqualTo("grpcmiddleware.validation.number.gte_lte");
    assertThat(Validation.messageKey("string.min_len"))
        .isEqualTo("grpcmiddleware.validation.string.min_len");
    assertThat(Validation.messageKey("required")).isEqualTo("grpcmiddleware.validation.required");
  }
}
