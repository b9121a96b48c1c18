package io.github.grpcmiddleware.validation;

import build.buf.validate.ValidateProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.ExtensionLite;
import com.google.protobuf.GeneratedMessage;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * Tells whether a message type, or any message type reachable from its fields, carries {@code
 * buf.validate} options. A type without any is never handed to protovalidate.
 */
final class RuleScan {

  private RuleScan() {}

  static boolean hasRules(Descriptor root) {
    Set<Descriptor> seen = new HashSet<>();
    Deque<Descriptor> todo = new ArrayDeque<>();
    todo.push(root);
    while (!todo.isEmpty()) {
      Descriptor type = todo.pop();
      if (!seen.add(type)) {
        continue;
      }
      if (marked(type.getOptions(), ValidateProto.message)) {
        return true;
      }
      for (OneofDescriptor oneof : type.getOneofs()) {
        if (marked(oneof.getOptions(), ValidateProto.oneof)) {
          return true;
        }
      }
      for (FieldDescriptor field : type.getFields()) {
        if (marked(field.getOptions(), ValidateProto.field)) {
          return true;
        }
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
          todo.push(field.getMessageType());
        }
      }
    }
    return false;
  }

  /**
   * Whether the options hold the extension, parsed or (when the generated code did not register it)
   * still an unknown field with its number.
   */
  private static <O extends GeneratedMessage.ExtendableMessage<O>> boolean marked(
      O options, ExtensionLite<O, ?> extension) {
    return options.hasExtension(extension)
        || options.getUnknownFields().hasField(extension.getNumber());
  }
}
