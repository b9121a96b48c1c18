package io.github.grpcmiddleware.validation;

import static io.github.grpcmiddleware.testing.GrpcAssertions.assertThatCall;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.i18n.Locales;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.StatusAssert;
import io.github.grpcmiddleware.validation.proto.Item;
import io.github.grpcmiddleware.validation.proto.Order;
import io.github.grpcmiddleware.validation.proto.OrderServiceGrpc;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import java.util.Locale;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Over real HTTP/2 a client drops trailers beyond its metadata limit (8 KiB) and reports
 * RESOURCE_EXHAUSTED instead of the status: thousands of violations must still arrive as
 * INVALID_ARGUMENT, with and without error mapping.
 */
class ValidationNettyTest {
  private static final Metadata.Key<String> ACCEPT_LANGUAGE =
      Metadata.Key.of("accept-language", Metadata.ASCII_STRING_MARSHALLER);

  private static Order huge() {
    Order.Builder order = Orders.valid().clearItems();
    for (int i = 0; i < 3000; i++) {
      order.addItems(Item.newBuilder().setSku("").setCount(-1));
    }
    return order.build();
  }

  private static StatusAssert call(GrpcServerExtension grpc, String language) {
    Metadata headers = new Metadata();
    headers.put(ACCEPT_LANGUAGE, language);
    OrderServiceGrpc.OrderServiceBlockingStub stub =
        grpc.stub(OrderServiceGrpc::newBlockingStub)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    return assertThatCall(() -> stub.placeOrder(huge())).failsWith(Status.Code.INVALID_ARGUMENT);
  }

  @Nested
  class InTheChain {
    @RegisterExtension
    final GrpcServerExtension grpc =
        GrpcServerExtension.builder()
            .netty()
            .service(new OrderService())
            .interceptor(
                ServerChain.builder()
                    .locale(
                        Locales.serverBuilder()
                            .supported(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE)
                            .build())
                    .errorMapping(
                        ErrorMapping.serverBuilder()
                            .messageResolver(ValidationMessagesTest.MESSAGES)
                            .build())
                    .validation(
                        Validation.serverBuilder()
                            .messageResolver(ValidationMessagesTest.MESSAGES)
                            .build())
                    .build())
            .build();

    @Test
    void thousandsOfChineseViolationsArriveAsInvalidArgument() {
      StatusAssert failure =
          call(grpc, "zh-CN")
              .withDescription("请求参数无效。")
              .withFieldViolation("items[0].sku", "长度不能少于 3。");
      assertThat(TrailerSize.of(failure.status(), failure.trailers()))
          .isLessThanOrEqualTo(ErrorMapping.DEFAULT_TRAILER_BUDGET);
    }
  }

  @Nested
  class Alone {
    @RegisterExtension
    final GrpcServerExtension grpc =
        GrpcServerExtension.builder()
            .netty()
            .service(new OrderService())
            .interceptor(Validation.newServerInterceptor())
            .build();

    @Test
    void thousandsOfViolationsArriveAsInvalidArgument() {
      StatusAssert failure =
          call(grpc, "en")
              .withDescription("The request is invalid.")
              .withFieldViolation("items[0].count", "Must be greater than 0.");
      assertThat(TrailerSize.of(failure.status(), failure.trailers()))
          .isLessThanOrEqualTo(ErrorMapping.DEFAULT_TRAILER_BUDGET);
    }
  }
}
