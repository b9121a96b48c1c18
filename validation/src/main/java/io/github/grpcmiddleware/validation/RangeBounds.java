package io.github.grpcmiddleware.validation;

import build.buf.protovalidate.Violation;
import build.buf.validate.FieldRules;
import build.buf.validate.ValidateProto;
import com.google.protobuf.DescriptorProtos.FieldOptions;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Finds both bounds of a range rule ({@code gt} with {@code lt}, ...): protovalidate reports one
 * rule value, the description names two, so the other is read from the field's options.
 */
final class RangeBounds {
  private static final int MAX_DEPTH = 4;

  private RangeBounds() {}

  /** The lower and upper bound, or null when the rules cannot be read from the descriptor. */
  static @Nullable List<Object> of(
      Violation.@Nullable FieldValue field, FieldDescriptor ruleField) {
    if (field == null) {
      return null;
    }
    FieldOptions options = field.getDescriptor().getOptions();
    if (!options.hasExtension(ValidateProto.field)) {
      return null;
    }
    FieldRules rules = options.getExtension(ValidateProto.field);
    Message holder = find(rules, ruleField.getContainingType(), 0);
    if (holder == null) {
      return null;
    }
    FieldDescriptor lower = first(holder, "gt", "gte");
    FieldDescriptor upper = first(holder, "lt", "lte");
    if (lower == null || upper == null) {
      return null;
    }
    return Arrays.asList(
        RuleMessages.display(holder.getField(lower), lower),
        RuleMessages.display(holder.getField(upper), upper));
  }

  private static @Nullable Message find(Message message, Descriptor type, int depth) {
    if (message.getDescriptorForType() == type) {
      return message;
    }
    if (depth >= MAX_DEPTH) {
      return null;
    }
    for (Map.Entry<FieldDescriptor, Object> entry : message.getAllFields().entrySet()) {
      FieldDescriptor field = entry.getKey();
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isRepeated()) {
        Message found = find((Message) entry.getValue(), type, depth + 1);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  /** The first of the two rule fields that is set. */
  private static @Nullable FieldDescriptor first(Message message, String name, String otherName) {
    Descriptor type = message.getDescriptorForType();
    for (String candidate : new String[] {name, otherName}) {
      FieldDescriptor field = type.findFieldByName(candidate);
      if (field != null && message.hasField(field)) {
        return field;
      }
    }
    return null;
  }
}
