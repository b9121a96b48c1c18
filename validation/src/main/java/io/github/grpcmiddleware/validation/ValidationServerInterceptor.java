package io.github.grpcmiddleware.validation;

import build.buf.protovalidate.Violation;
import com.google.protobuf.Message;
import io.github.grpcmiddleware.internal.PipelineCall;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.internal.ServerPart;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.validation.MessageChecks.TypeCheck;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates request (and optionally response) messages: the message hooks of the validation part;
 * built by {@link ValidationServerBuilder}.
 *
 * <p>What to check is decided once per method and kept: a method whose messages have no rules, or
 * that the selector leaves out, costs one map lookup per call and adds nothing to it. The first
 * request that breaks its rules ends the call with {@code INVALID_ARGUMENT} (the call pipeline then
 * drops later messages, the half-close and whatever the service still sends, and tells the service
 * {@code onCancel}); a response that breaks them ends it with {@code INTERNAL} instead of being
 * sent.
 *
 * <p>This class is thread-safe.
 */
final class ValidationServerInterceptor extends ServerPart {
  private static final Logger logger = LoggerFactory.getLogger(Validation.class);

  /** More distinct method descriptors than this means someone makes them per call: start over. */
  static final int MAX_PLANS = 4096;

  /** How many violations a log line names (paths and rule ids only, never values). */
  private static final int LOGGED_VIOLATIONS = 5;

  private final MethodSelector methods;
  private final MessageChecks checks;
  private final RuleMessages messages;
  private final boolean validateResponses;
  private final ConcurrentHashMap<MethodDescriptor<?, ?>, Plan> plans = new ConcurrentHashMap<>();

  ValidationServerInterceptor(
      MethodSelector methods,
      MessageChecks checks,
      RuleMessages messages,
      boolean validateResponses) {
    super(VALIDATION, ON_MESSAGE | (validateResponses ? ON_SEND : 0), "validation", "Validation");
    this.methods = methods;
    this.checks = checks;
    this.messages = messages;
    this.validateResponses = validateResponses;
  }

  @Override
  public boolean appliesTo(ServerCall<?, ?> call) {
    return plan(call.getMethodDescriptor()) != Plan.NONE;
  }

  @Override
  public boolean onMessage(ServerCallScope scope, PipelineCall<?, ?> call, Object message) {
    TypeCheck requests = plan(call.getMethodDescriptor()).requests;
    if (requests == null || !(message instanceof Message)) {
      return true;
    }
    String method = scope.fullMethodName();
    CheckResult result = requests.check((Message) message, method);
    if (result.isValid()) {
      return true;
    }
    Metadata trailers = new Metadata();
    Status status;
    if (result.isFault()) {
      status = messages.internal(scope.context(), trailers);
    } else {
      if (logger.isDebugEnabled()) {
        logger.debug(
            "{} rejected: {} rule violation(s) in a request message",
            method,
            result.violations().size());
      }
      status = messages.invalid(result.violations(), scope.context(), trailers);
    }
    call.closeByPart(this, status, trailers, true);
    return false;
  }

  @Override
  public boolean onSend(ServerCallScope scope, PipelineCall<?, ?> call, Object message) {
    TypeCheck responses = plan(call.getMethodDescriptor()).responses;
    if (responses == null || !(message instanceof Message)) {
      return true;
    }
    String method = scope.fullMethodName();
    CheckResult result = responses.check((Message) message, method);
    if (result.isValid()) {
      return true;
    }
    if (!result.isFault()) {
      logBadResponse(method, result.violations(), scope.traceId());
    }
    Metadata trailers = new Metadata();
    call.closeByPart(this, messages.internal(scope.context(), trailers), trailers, true);
    return false;
  }

  private static void logBadResponse(
      String method, List<Violation> violations, @Nullable String traceId) {
    if (!logger.isErrorEnabled()) {
      return;
    }
    StringBuilder named = new StringBuilder();
    for (int i = 0; i < violations.size() && i < LOGGED_VIOLATIONS; i++) {
      build.buf.validate.Violation proto = violations.get(i).toProto();
      if (i > 0) {
        named.append(", ");
      }
      named.append(RuleMessages.cut(RuleMessages.path(proto.getField())));
      named.append(' ').append(proto.getRuleId());
    }
    if (violations.size() > LOGGED_VIOLATIONS) {
      named.append(", ...");
    }
    logger.error(
        "{} sent a response that breaks its validation rules ({} violation(s): {}); the call"
            + " fails with INTERNAL (trace id {})",
        method,
        violations.size(),
        named,
        traceId);
  }

  private Plan plan(MethodDescriptor<?, ?> method) {
    Plan plan = plans.get(method);
    if (plan == null) {
      plan = makePlan(method);
      if (plans.size() >= MAX_PLANS) {
        plans.clear();
      }
      plans.put(method, plan);
    }
    return plan;
  }

  private Plan makePlan(MethodDescriptor<?, ?> method) {
    if (!methods.matches(method)) {
      return Plan.NONE;
    }
    TypeCheck requests = checks.forMarshaller(method.getRequestMarshaller());
    TypeCheck responses =
        validateResponses ? checks.forMarshaller(method.getResponseMarshaller()) : null;
    return requests == null && responses == null ? Plan.NONE : new Plan(requests, responses);
  }

  /** What to check for one method. */
  private static final class Plan {
    static final Plan NONE = new Plan(null, null);

    final @Nullable TypeCheck requests;
    final @Nullable TypeCheck responses;

    Plan(@Nullable TypeCheck requests, @Nullable TypeCheck responses) {
      this.requests = requests;
      this.responses = responses;
    }
  }
}
