package io.github.grpcmiddleware.validation;

import io.github.grpcmiddleware.internal.ChainPart;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.validation.MessageChecks.TypeCheck;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Validates request (and optionally response) messages; built by {@link ValidationServerBuilder}.
 *
 * <p>What to check is decided once per method and kept: a method whose messages have no rules, or
 * that the selector leaves out, costs one map lookup per call. A unary-request method needs only a
 * listener wrapper (the handler does nothing before the request is accepted); a streaming-request
 * method, or one whose responses are checked, also gets a call wrapper so that the handler cannot
 * send or close after validation ended the call.
 *
 * <p>Installed twice (server-wide and per service, or in a chain and alone), the same instance
 * checks each message once: the inner one finds itself already entered in the call's scope and
 * passes through. Used alone, it opens that scope itself.
 *
 * <p>This class is thread-safe.
 */
final class ValidationServerInterceptor implements ServerInterceptor, ChainPart {

  /** More distinct method descriptors than this means someone makes them per call: start over. */
  static final int MAX_PLANS = 4096;

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
    this.methods = methods;
    this.checks = checks;
    this.messages = messages;
    this.validateResponses = validateResponses;
  }

  @Override
  public String chainSlot() {
    return "validation";
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
    Plan plan = plan(method);
    if (plan == Plan.NONE) {
      return next.startCall(call, headers);
    }
    // The call's one scope tells whether this same part already validates the call (installed
    // server-wide and per service): then it passes through, so each message is checked once.
    ServerCallScope scope = ServerCallScope.open(this, call);
    if (!scope.enter(this)) {
      return scope.startNext(this, call, headers, next);
    }
    Context callContext = Context.current();
    ValidatingServerCall<ReqT, RespT> guarded = null;
    ServerCall<ReqT, RespT> target = call;
    if (plan.responses != null || !method.getType().clientSendsOneMessage()) {
      guarded = new ValidatingServerCall<>(call, plan.responses, messages, callContext);
      target = guarded;
    }
    ServerCall.Listener<ReqT> listener = scope.startNext(this, target, headers, next);
    TypeCheck requests = plan.requests;
    if (requests == null) {
      return listener;
    }
    return new ValidatingListener<>(
        listener, requests, call, guarded, messages, callContext, method.getFullMethodName());
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
