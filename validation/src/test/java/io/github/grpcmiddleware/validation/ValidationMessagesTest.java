package io.github.grpcmiddleware.validation;

import static io.github.grpcmiddleware.testing.GrpcAssertions.assertThatCall;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.BadRequest;
import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.i18n.Locales;
import io.github.grpcmiddleware.i18n.LocalizedMessages;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.StatusAssert;
import io.github.grpcmiddleware.validation.proto.Address;
import io.github.grpcmiddleware.validation.proto.Item;
import io.github.grpcmiddleware.validation.proto.Order;
import io.github.grpcmiddleware.validation.proto.OrderServiceGrpc;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Field paths, descriptions in two languages and the trailer budget, through the whole chain. */
class ValidationMessagesTest {
  static final LocalizedMessages MESSAGES =
      LocalizedMessages.builder().baseName("test/validation/app").build();
  private static final Metadata.Key<String> ACCEPT_LANGUAGE =
      Metadata.Key.of("accept-language", Metadata.ASCII_STRING_MARSHALLER);

  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new OrderService())
          .interceptor(
              ServerChain.builder()
                  .locale(
                      Locales.serverBuilder()
                          .supported(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE, Locale.GERMAN)
                          .build())
                  .errorMapping(ErrorMapping.serverBuilder().messageResolver(MESSAGES).build())
                  .validation(Validation.serverBuilder().messageResolver(MESSAGES).build())
                  .build())
          .build();

  static OrderServiceGrpc.OrderServiceBlockingStub stub(String language) {
    Metadata headers = new Metadata();
    headers.put(ACCEPT_LANGUAGE, language);
    return grpc.stub(OrderServiceGrpc::newBlockingStub)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private static StatusAssert rejected(String language, Order order) {
    return assertThatCall(() -> stub(language).placeOrder(order))
        .failsWith(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void severalViolationsInOneMessageAreAllReported() {
    Order order = Orders.valid().setName("").setEmail("not-an-email").setCopies(0).build();

    assertThat(Orders.violations(rejected("en", order)))
        .containsOnly(
            Map.entry("name", "Length must be at least 1."),
            Map.entry("email", "Must be a valid email address."),
            Map.entry("copies", "Must be at least 1 and at most 10."));
  }

  @Test
  void nestedAndRepeatedFieldsHaveProtovalidatePaths() {
    Order order =
        Orders.valid()
            .addItems(Item.newBuilder().setSku("DEF").setCount(2))
            .addItems(Item.newBuilder().setSku("x").setCount(0))
            .setAddress(Address.newBuilder().setCity(""))
            .build();

    assertThat(Orders.violations(rejected("en", order)))
        .containsOnly(
            Map.entry("items[2].sku", "Length must be at least 3."),
            Map.entry("items[2].count", "Must be greater than 0."),
            Map.entry("address.city", "Length must be at least 1."));
  }

  @Test
  void requiredAndMinItems() {
    Order order = Orders.valid().clearAddress().clearItems().build();

    assertThat(Orders.violations(rejected("en", order)))
        .containsOnly(
            Map.entry("address", "A value is required."),
            Map.entry("items", "Number of items must be at least 1."));
  }

  @Test
  void patternUuidEnumAndMaxLength() {
    Order order =
        Orders.valid()
            .setCode("xx")
            .setId("nope")
            .setPriorityValue(7)
            .setName("a name that is far too long")
            .build();

    assertThat(Orders.violations(rejected("en", order)))
        .containsOnly(
            Map.entry("code", "Must match the pattern ^[A-Z]{2}[0-9]{2}$."),
            Map.entry("id", "Must be a valid UUID."),
            Map.entry("priority", "Must be one of the defined values."),
            Map.entry("name", "Length must be at most 20."));
  }

  /** Rule values are written as the schema writes them: no digit grouping, no rounding. */
  @ParameterizedTest
  @ValueSource(strings = {"en", "de", "zh-CN"})
  void numbersInDescriptionsAreWrittenAsInTheSchema(String language) {
    Order.Builder order =
        Orders.valid().clearItems().setDiscount(0.00001).setSerial(-1L); // -1L: 2^64 - 1
    for (int i = 0; i < 5001; i++) {
      order.addItems(Item.newBuilder().setSku("ABC").setCount(1));
    }

    Map<String, String> violations = Orders.violations(rejected(language, order.build()));

    assertThat(violations.get("items")).contains("5000").doesNotContain("5,000", "5.000");
    assertThat(violations.get("discount"))
        .contains("0.0001", "1000000")
        .doesNotContain("1,000,000", "1.000.000");
    assertThat(violations.get("serial")).contains("18446744073709551615");
    if (language.equals("en")) {
      assertThat(violations)
          .containsEntry("items", "Number of items must be at most 5000.")
          .containsEntry("discount", "Must be at least 0.0001 and at most 1000000.")
          .containsEntry("serial", "Must be less than 18446744073709551615.");
    }
  }

  @Test
  void emptyEmailAndUuidHaveTheirOwnMessages() {
    Order order = Orders.valid().setEmail("").setId("").build();

    assertThat(Orders.violations(rejected("en", order)))
        .containsOnly(
            Map.entry("email", "An email address is required."),
            Map.entry("id", "A UUID is required."));
  }

  @Test
  void simplifiedChineseDescriptions() {
    Order order = Orders.valid().setName("").setCopies(0).setPriorityValue(9).build();

    StatusAssert failure =
        rejected("zh-CN", order)
            .withDescription("请求参数无效。")
            .withLocalizedMessage("zh-CN", "请求参数无效。")
            .withTrailer("content-language", "zh-CN");
    assertThat(Orders.violations(failure))
        .containsOnly(
            Map.entry("name", "长度不能少于 1。"),
            Map.entry("copies", "必须大于或等于 1 且小于或等于 10。"),
            Map.entry("priority", "必须是已定义的值之一。"));
  }

  @Test
  void germanDescriptions() {
    assertThat(Orders.violations(rejected("de", Orders.valid().setName("").build())))
        .containsOnly(Map.entry("name", "Die Länge muss mindestens 1 betragen."));
  }

  @Test
  void aServiceCatalogDescribesItsOwnCelRule() {
    io.github.grpcmiddleware.validation.proto.Division division =
        io.github.grpcmiddleware.validation.proto.Division.newBuilder()
            .setDividend(-1)
            .setDivisor(1)
            .build();

    for (String[] expected :
        new String[][] {{"en", "The ratio must be positive."}, {"zh-CN", "比值必须为正数。"}}) {
      StatusAssert failure =
          assertThatCall(() -> stub(expected[0]).divide(division))
              .failsWith(Status.Code.INVALID_ARGUMENT);
      assertThat(Orders.violations(failure)).containsOnly(Map.entry("", expected[1]));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"en", "zh-CN"})
  void thousandsOfViolationsStayWithinTheTrailerBudget(String language) {
    Order.Builder order = Orders.valid().clearItems();
    for (int i = 0; i < 2500; i++) {
      order.addItems(Item.newBuilder().setSku("").setCount(0));
    }

    StatusAssert failure = rejected(language, order.build());

    assertThat(TrailerSize.of(failure.status(), failure.trailers()))
        .isLessThanOrEqualTo(ErrorMapping.DEFAULT_TRAILER_BUDGET);
    List<BadRequest> details = failure.details(BadRequest.class);
    assertThat(details).hasSize(1);
    List<BadRequest.FieldViolation> kept = details.get(0).getFieldViolationsList();
    assertThat(kept.size()).isBetween(5, 4999);
    assertThat(kept.get(0).getField()).isEqualTo("items[0].sku");
    assertThat(kept.get(1).getField()).isEqualTo("items[0].count");
  }
}
