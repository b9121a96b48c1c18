package io.github.grpcmiddleware.validation;

import build.buf.protovalidate.ValidationResult;
import build.buf.protovalidate.Validator;
import build.buf.protovalidate.exceptions.CompilationException;
import build.buf.protovalidate.exceptions.ValidationException;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link TypeCheck} per message type, made on first use and kept: whether the type has rules at
 * all, and whether its rules failed to compile. protovalidate keeps its own compiled evaluators per
 * type inside the shared {@link Validator}.
 *
 * <p>This class is thread-safe.
 */
final class MessageChecks {
  private static final Logger logger = LoggerFactory.getLogger(Validation.class);

  private final Validator validator;
  private final ConcurrentHashMap<Descriptor, TypeCheck> types = new ConcurrentHashMap<>();

  MessageChecks(Validator validator) {
    this.validator = validator;
  }

  /** The check for the messages of a marshaller, or null when they have no rules to check. */
  @Nullable TypeCheck forMarshaller(MethodDescriptor.Marshaller<?> marshaller) {
    if (!(marshaller instanceof MethodDescriptor.PrototypeMarshaller)) {
      return null;
    }
    Object prototype = ((MethodDescriptor.PrototypeMarshaller<?>) marshaller).getMessagePrototype();
    if (!(prototype instanceof Message)) {
      return null;
    }
    TypeCheck check = forType(((Message) prototype).getDescriptorForType());
    return check.hasRules ? check : null;
  }

  TypeCheck forType(Descriptor type) {
    TypeCheck check = types.get(type);
    if (check == null) {
      check = types.computeIfAbsent(type, t -> new TypeCheck(t, RuleScan.hasRules(t)));
    }
    return check;
  }

  /** The rules of one message type and what became of them. */
  final class TypeCheck {
    final Descriptor type;
    final boolean hasRules;
    private volatile boolean broken;
    private final AtomicBoolean reported = new AtomicBoolean();

    TypeCheck(Descriptor type, boolean hasRules) {
      this.type = type;
      this.hasRules = hasRules;
    }

    /** Checks one message of this type sent or received by {@code method}; never throws. */
    CheckResult check(Message message, String method) {
      if (broken) {
        return CheckResult.FAULT;
      }
      try {
        ValidationResult result = validator.validate(message);
        return result.isSuccess() ? CheckResult.VALID : CheckResult.invalid(result.getViolations());
      } catch (CompilationException e) {
        broken = true;
        if (reported.compareAndSet(false, true)) {
          logger.error(
              "The validation rules of {} do not compile; every call of {} (and of any method"
                  + " with this message) fails with INTERNAL until they are fixed: {}",
              type.getFullName(),
              method,
              e.getMessage());
        }
        return CheckResult.FAULT;
      } catch (ValidationException e) {
        report(method, e.getMessage(), null);
        return CheckResult.FAULT;
      } catch (RuntimeException e) {
        report(method, e.toString(), e);
        return CheckResult.FAULT;
      }
    }

    private void report(String method, @Nullable String why, @Nullable Throwable unexpected) {
      if (reported.compareAndSet(false, true)) {
        logger.error(
            "The validation rules of {} could not be evaluated in {}; such calls fail with"
                + " INTERNAL (logged once per message type): {}",
            type.getFullName(),
            method,
            why,
            unexpected);
      } else if (logger.isDebugEnabled()) {
        logger.debug("validation of {} failed again in {}: {}", type.getFullName(), method, why);
      }
    }
  }
}
