package io.github.grpcmiddleware.validation;

import build.buf.protovalidate.Violation;
import build.buf.validate.FieldPath;
import build.buf.validate.FieldPathElement;
import com.google.protobuf.Any;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.rpc.BadRequest;
import com.google.rpc.LocalizedMessage;
import io.github.grpcmiddleware.errors.MessageKeys;
import io.github.grpcmiddleware.errors.MessageResolver;
import io.github.grpcmiddleware.errors.ServiceException;
import io.github.grpcmiddleware.errors.ServiceExceptionBuilder;
import io.github.grpcmiddleware.internal.HeaderKeys;
import io.github.grpcmiddleware.internal.MessageTexts;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Status;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Turns violations into what the caller receives: one {@code FieldViolation} per violation with a
 * localized description, cut to the trailer budget, and the status that carries them.
 *
 * <p>This class is thread-safe (immutable).
 */
final class RuleMessages {

  /** Where the English descriptions live; the i18n module ships the translations. */
  static final String RESOURCE = "/io/github/grpcmiddleware/validation/default-messages.properties";

  static final String INVALID_TEXT = "The request is invalid.";
  static final String INTERNAL_TEXT = "Internal error.";
  static final String INTERNAL_TRACE_TEXT =
      "Internal error. Please report trace id {0} to the service owner.";

  /** Longest field path and description kept, in characters: a map key comes from the caller. */
  static final int MAX_TEXT = 200;

  private static final Set<String> NUMBER_TYPES =
      new HashSet<>(
          Arrays.asList(
              "int32",
              "int64",
              "uint32",
              "uint64",
              "sint32",
              "sint64",
              "fixed32",
              "fixed64",
              "sfixed32",
              "sfixed64",
              "float",
              "double"));

  private static final Set<FieldDescriptor.Type> UNSIGNED =
      EnumSet.of(
          FieldDescriptor.Type.UINT32,
          FieldDescriptor.Type.UINT64,
          FieldDescriptor.Type.FIXED32,
          FieldDescriptor.Type.FIXED64);

  /** Numeric rule kinds whose description names a lower and an upper bound. */
  private static final Set<String> TWO_BOUNDS =
      new HashSet<>(
          Arrays.asList(
              "gt_lt",
              "gt_lte",
              "gte_lt",
              "gte_lte",
              "gt_lt_exclusive",
              "gt_lte_exclusive",
              "gte_lt_exclusive",
              "gte_lte_exclusive"));

  private static final Properties ENGLISH = MessageTexts.loadCatalog(RuleMessages.class, RESOURCE);

  private final @Nullable MessageResolver resolver;
  private final int budget;

  RuleMessages(@Nullable MessageResolver resolver, int budget) {
    this.resolver = resolver;
    this.budget = budget;
  }

  /** {@code int32.gt} -> {@code number.gt}; other ids unchanged. */
  static String normalize(String ruleId) {
    int dot = ruleId.indexOf('.');
    if (dot > 0 && NUMBER_TYPES.contains(ruleId.substring(0, dot))) {
      return "number" + ruleId.substring(dot);
    }
    return ruleId;
  }

  /**
   * The status ending a call whose message broke its rules, with the details put in {@code
   * trailers}. The cause is a {@link ServiceException} that error mapping, when it sits outside,
   * re-renders in the caller's language and fits to its budget.
   */
  Status invalid(List<Violation> violations, Context callContext, Metadata trailers) {
    String key = MessageKeys.forCode(Status.Code.INVALID_ARGUMENT);
    ServiceExceptionBuilder exception =
        ServiceException.builder(Status.Code.INVALID_ARGUMENT, key).defaultMessage(INVALID_TEXT);
    BadRequest.Builder badRequest = BadRequest.newBuilder();
    int size = 0;
    int allowed = budget / 2;
    for (Violation violation : violations) {
      build.buf.validate.Violation proto = violation.toProto();
      String field = cut(path(proto.getField()));
      String description = cut(describe(violation, proto, callContext));
      BadRequest.FieldViolation fieldViolation =
          BadRequest.FieldViolation.newBuilder()
              .setField(field)
              .setDescription(description)
              .build();
      int next = size + CodedOutputStream.computeMessageSize(1, fieldViolation);
      if (base64Length(next) > allowed) {
        break;
      }
      size = next;
      badRequest.addFieldViolations(fieldViolation);
      exception.fieldViolation(field, description);
    }
    LocalizedMessage message = localize(callContext, key, Collections.emptyList(), INVALID_TEXT);
    putDetails(Status.Code.INVALID_ARGUMENT, message, badRequest.build(), trailers);
    return Status.INVALID_ARGUMENT
        .withDescription(message.getMessage())
        .withCause(exception.build());
  }

  /**
   * The status for a server fault (rules that do not compile or evaluate, a bad response): the
   * generic internal message naming the trace id, never the reason, which is logged instead. No
   * ServiceException cause: error mapping passes it through rather than logging it a second time.
   */
  Status internal(Context callContext, Metadata trailers) {
    String traceId = TraceIds.fromContext(callContext);
    LocalizedMessage message =
        traceId == null
            ? localize(
                callContext,
                MessageKeys.forCode(Status.Code.INTERNAL),
                Collections.emptyList(),
                INTERNAL_TEXT)
            : localize(
                callContext,
                MessageKeys.INTERNAL,
                Collections.singletonList(traceId),
                INTERNAL_TRACE_TEXT);
    putDetails(Status.Code.INTERNAL, message, null, trailers);
    return Status.INTERNAL.withDescription(message.getMessage());
  }

  private static void putDetails(
      Status.Code code,
      LocalizedMessage message,
      @Nullable BadRequest badRequest,
      Metadata trailers) {
    com.google.rpc.Status.Builder status =
        com.google.rpc.Status.newBuilder().setCode(code.value()).setMessage(message.getMessage());
    if (badRequest != null && badRequest.getFieldViolationsCount() > 0) {
      status.addDetails(Any.pack(badRequest));
    }
    status.addDetails(Any.pack(message));
    trailers.put(HeaderKeys.STATUS_DETAILS, status.build());
    if (MessageTexts.isLanguageTag(message.getLocale())) {
      trailers.put(HeaderKeys.CONTENT_LANGUAGE, message.getLocale());
    }
  }

  /** The localized description of one violation, or protovalidate's text for unknown rules. */
  private String describe(
      Violation violation, build.buf.validate.Violation proto, Context callContext) {
    String ruleId = proto.getRuleId();
    if (ruleId.isEmpty()) {
      return proto.getMessage();
    }
    String normalized = normalize(ruleId);
    String key = Validation.MESSAGE_KEY_PREFIX + normalized;
    List<Object> args = arguments(violation, normalized);
    if (args == null) {
      return proto.getMessage().isEmpty() ? ruleId : proto.getMessage();
    }
    LocalizedMessage localized = resolve(callContext, key, args);
    if (localized != null) {
      return localized.getMessage();
    }
    String english = ENGLISH.getProperty(key);
    if (english != null) {
      return english(english, args).getMessage();
    }
    return proto.getMessage().isEmpty() ? ruleId : proto.getMessage();
  }

  /** The message arguments: the rule's value, or both bounds of a range; null when unknowable. */
  private static @Nullable List<Object> arguments(Violation violation, String normalized) {
    Violation.FieldValue rule = violation.getRuleValue();
    Object value = rule == null ? null : rule.getValue();
    if (normalized.startsWith("number.") && TWO_BOUNDS.contains(normalized.substring(7))) {
      return rule == null ? null : RangeBounds.of(violation.getFieldValue(), rule.getDescriptor());
    }
    if (value == null || value instanceof Boolean) {
      return Collections.emptyList();
    }
    return Collections.singletonList(display(value, rule.getDescriptor()));
  }

  /**
   * A rule value as text, as the schema writes it. Numbers are never handed to MessageFormat: it
   * would group digits ({@code 5,000}, or {@code 5.000} in German) and round fractions to three
   * places ({@code 0.0001} became {@code 0}).
   */
  static String display(Object value, @Nullable FieldDescriptor ruleField) {
    if (value instanceof Double || value instanceof Float) {
      double number = ((Number) value).doubleValue();
      if (Double.isNaN(number) || Double.isInfinite(number)) {
        return String.valueOf(value);
      }
      // Float.toString gives the float's shortest decimal, not the double it widens to.
      return new BigDecimal(value.toString()).stripTrailingZeros().toPlainString();
    }
    if (value instanceof Number) {
      boolean unsigned = ruleField != null && UNSIGNED.contains(ruleField.getType());
      if (unsigned && value instanceof Long) {
        return Long.toUnsignedString((Long) value);
      }
      if (unsigned && value instanceof Integer) {
        return Integer.toUnsignedString((Integer) value);
      }
      return value.toString();
    }
    if (value instanceof EnumValueDescriptor) {
      return ((EnumValueDescriptor) value).getName();
    }
    return cut(String.valueOf(value));
  }

  /** The field path as protovalidate prints it: {@code items[2].sku}, {@code labels["k"]}. */
  static String path(FieldPath path) {
    StringBuilder out = new StringBuilder();
    for (FieldPathElement element : path.getElementsList()) {
      if (out.length() > 0) {
        out.append('.');
      }
      out.append(element.getFieldName());
      switch (element.getSubscriptCase()) {
        case INDEX:
          out.append('[').append(Long.toUnsignedString(element.getIndex())).append(']');
          break;
        case BOOL_KEY:
          out.append('[').append(element.getBoolKey()).append(']');
          break;
        case INT_KEY:
          out.append('[').append(element.getIntKey()).append(']');
          break;
        case UINT_KEY:
          out.append('[').append(Long.toUnsignedString(element.getUintKey())).append(']');
          break;
        case STRING_KEY:
          out.append("[\"");
          appendEscaped(out, element.getStringKey());
          out.append("\"]");
          break;
        default:
          break;
      }
    }
    return out.toString();
  }

  private static void appendEscaped(StringBuilder out, String key) {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < ' ' || c == 0x7f) {
        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
  }

  private LocalizedMessage localize(
      Context callContext, String key, List<?> args, String englishPattern) {
    LocalizedMessage message = resolve(callContext, key, args);
    return message != null ? message : english(englishPattern, args);
  }

  private @Nullable LocalizedMessage resolve(Context callContext, String key, List<?> args) {
    return MessageTexts.resolveQuietly(resolver, callContext, key, args);
  }

  static LocalizedMessage english(String pattern, List<?> args) {
    return MessageTexts.english(pattern, args);
  }

  /** Cuts on a code-point boundary to {@link #MAX_TEXT} characters, ending in "...". */
  static String cut(String text) {
    if (text.length() <= MAX_TEXT) {
      return text;
    }
    int end = MAX_TEXT - 3;
    if (Character.isLowSurrogate(text.charAt(end))) {
      end--;
    }
    return text.substring(0, end) + "...";
  }

  private static int base64Length(int bytes) {
    return (bytes * 4 + 2) / 3;
  }

  /** The English patterns, by message key. */
  static Properties englishPatterns() {
    Properties copy = new Properties();
    copy.putAll(ENGLISH);
    return copy;
  }
}
