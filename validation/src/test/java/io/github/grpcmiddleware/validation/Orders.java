package io.github.grpcmiddleware.validation;

import com.google.rpc.BadRequest;
import io.github.grpcmiddleware.testing.StatusAssert;
import io.github.grpcmiddleware.validation.proto.Address;
import io.github.grpcmiddleware.validation.proto.Item;
import io.github.grpcmiddleware.validation.proto.Order;
import io.github.grpcmiddleware.validation.proto.Priority;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test messages and a view of the field violations a call failed with. */
final class Orders {
  private Orders() {}

  /** An order that satisfies every rule. */
  static Order.Builder valid() {
    return Order.newBuilder()
        .setName("Tea")
        .setEmail("ada@example.com")
        .setId("123e4567-e89b-12d3-a456-426614174000")
        .addItems(Item.newBuilder().setSku("ABC").setCount(1))
        .setAddress(Address.newBuilder().setCity("Berlin"))
        .setPriority(Priority.PRIORITY_LOW)
        .setCopies(1)
        .setCode("AB12");
  }

  /** Field path to description, in the order sent. */
  static Map<String, String> violations(StatusAssert failure) {
    Map<String, String> out = new LinkedHashMap<>();
    List<BadRequest> details = failure.details(BadRequest.class);
    for (BadRequest badRequest : details) {
      for (BadRequest.FieldViolation violation : badRequest.getFieldViolationsList()) {
        out.put(violation.getField(), violation.getDescription());
      }
    }
    return out;
  }
}
