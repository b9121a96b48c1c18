package io.github.grpcmiddleware.validation;

import build.buf.protovalidate.Violation;
import com.google.protobuf.Message;
import io.github.grpcmiddleware.trace.TraceIds;
import io.github.grpcmiddleware.validation.MessageChecks.TypeCheck;
import io.grpc.Context;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards the call once validation ended it: the handler's later sends and its close are dropped (a
 * streaming handler may still answer earlier messages from its own thread). With response
 * validation it also checks each response before it is sent.
 *
 * <p>This class is thread-safe: sends and closes are serialized by a per-call lock.
 */
final class ValidatingServerCall<ReqT, RespT>
    extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
  private static final Logger logger = LoggerFactory.getLogger(Validation.class);

  /** How many violations a log line names (paths and rule ids only, never values). */
  private static final int LOGGED_VIOLATIONS = 5;

  private final @Nullable TypeCheck responses;
  private final RuleMessages messages;
  private final Context callContext;
  private final Object lock = new Object();
  private boolean closed;

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
  public void sendHeaders(Metadata headers) {
    synchronized (lock) {
      if (!closed) {
        super.sendHeaders(headers);
      }
    }
  }

  @Override
  public void sendMessage(RespT message) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      TypeCheck check = responses;
      if (check != null && message instanceof Message) {
        String method = getMethodDescriptor().getFullMethodName();
        CheckResult result = check.check((Message) message, method);
        if (!result.isValid()) {
          if (!result.isFault()) {
            logBadResponse(method, result.violations());
          }
          Metadata trailers = new Metadata();
          closeLocked(messages.internal(callContext, trailers), trailers);
          return;
        }
      }
      super.sendMessage(message);
    }
  }

  @Override
  public boolean isReady() {
    synchronized (lock) {
      if (closed) {
        return false;
      }
    }
    return super.isReady();
  }

  @Override
  public void close(Status status, Metadata trailers) {
    synchronized (lock) {
      if (closed) {
        logger.debug("ignoring the handler's close({}) after validation closed the call", status);
        return;
      }
      closed = true;
    }
    super.close(status, trailers);
  }

  /** Ends the call for validation unless the handler closed it already; never throws. */
  void closeFromValidation(Status status, Metadata trailers) {
    synchronized (lock) {
      closeLocked(status, trailers);
    }
  }

  private void closeLocked(Status status, Metadata trailers) {
    if (closed) {
      return;
    }
    closed = true;
    try {
      super.close(status, trailers);
    } catch (RuntimeException e) {
      logger.debug("closing the call after a validation failure failed", e);
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
