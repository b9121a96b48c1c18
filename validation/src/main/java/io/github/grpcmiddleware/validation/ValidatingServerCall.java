package io.github.grpcmiddleware.validation;

import build.buf.protovalidate.Violation;
import com.google.protobuf.Message;
import io.github.grpcmiddleware.internal.GuardedServerCall;
import io.github.grpcmiddleware.trace.TraceIds;
import io.github.grpcmiddleware.validation.MessageChecks.TypeCheck;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards the call once validation ended it: the handler's later sends and its close are dropped (a
 * streaming handler may still answer earlier messages from its own thread; see {@link
 * GuardedServerCall}). With response validation it also checks each response before it is sent.
 *
 * <p>This class is thread-safe.
 */
final class ValidatingServerCall<ReqT, RespT> extends GuardedServerCall<ReqT, RespT> {
  private static final Logger logger = LoggerFactory.getLogger(Validation.class);

  /** How many violations a log line names (paths and rule ids only, never values). */
  private static final int LOGGED_VIOLATIONS = 5;

  private final @Nullable TypeCheck responses;
  private final RuleMessages messages;
  private final Context callContext;

  ValidatingServerCall(
      ServerCall<ReqT, RespT> delegate,
      @Nullable TypeCheck responses,
      RuleMessages messages,
      Context callContext) {
    super(delegate);
    this.responses = responses;
    this.messages = messages;
    this.callContext = callContext;
  }

  @Override
  public void sendMessage(RespT message) {
    TypeCheck check = responses;
    if (check == null || !(message instanceof Message)) {
      super.sendMessage(message);
      return;
    }
    synchronized (this) {
      if (isClosedByPart()) {
        return;
      }
      String method = getMethodDescriptor().getFullMethodName();
      CheckResult result = check.check((Message) message, method);
      if (result.isValid()) {
        super.sendMessage(message);
        return;
      }
      if (!result.isFault()) {
        logBadResponse(method, result.violations());
      }
      Metadata trailers = new Metadata();
      closeFromValidation(messages.internal(callContext, trailers), trailers);
    }
  }

  /** Ends the call for validation unless the handler closed it already; never throws. */
  void closeFromValidation(Status status, Metadata trailers) {
    synchronized (this) {
      if (markClosedByPart()) {
        closeDelegate(status, trailers);
      }
    }
  }

  private void logBadResponse(String method, List<Violation> violations) {
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
        TraceIds.fromContext(callContext));
  }
}
