package io.github.grpcmiddleware.validation;

import com.google.protobuf.Message;
import io.github.grpcmiddleware.validation.MessageChecks.TypeCheck;
import io.grpc.Context;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks each request message before the handler sees it. The first one that fails ends the call;
 * it, later messages, the half-close and {@code onReady} are not delivered ({@code onCancel} and
 * {@code onComplete} are, so the handler can clean up).
 *
 * <p>Listener callbacks of one call are serialized by grpc-java, so the state needs no lock.
 */
final class ValidatingListener<ReqT>
    extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT> {
  private static final Logger logger = LoggerFactory.getLogger(Validation.class);

  private final TypeCheck requests;
  private final ServerCall<ReqT, ?> call;
  private final @Nullable ValidatingServerCall<ReqT, ?> guarded;
  private final RuleMessages messages;
  private final Context callContext;
  private final String method;
  private boolean rejected;

  ValidatingListener(
      ServerCall.Listener<ReqT> delegate,
      TypeCheck requests,
      ServerCall<ReqT, ?> call,
      @Nullable ValidatingServerCall<ReqT, ?> guarded,
      RuleMessages messages,
      Context callContext,
      String method) {
    super(delegate);
    this.requests = requests;
    this.call = call;
    this.guarded = guarded;
    this.messages = messages;
    this.callContext = callContext;
    this.method = method;
  }

  @Override
  public void onMessage(ReqT message) {
    if (rejected) {
      return;
    }
    CheckResult result =
        message instanceof Message ? requests.check((Message) message, method) : CheckResult.VALID;
    if (result.isValid()) {
      super.onMessage(message);
      return;
    }
    rejected = true;
    Metadata trailers = new Metadata();
    Status status;
    if (result.isFault()) {
      status = messages.internal(callContext, trailers);
    } else {
      if (logger.isDebugEnabled()) {
        logger.debug(
            "{} rejected: {} rule violation(s) in a request message",
            method,
            result.violations().size());
      }
      status = messages.invalid(result.violations(), callContext, trailers);
    }
    ValidatingServerCall<ReqT, ?> own = guarded;
    if (own != null) {
      own.closeFromValidation(status, trailers);
      return;
    }
    try {
      call.close(status, trailers);
    } catch (RuntimeException e) {
      logger.debug("closing {} after a validation failure failed", method, e);
    }
  }

  @Override
  public void onHalfClose() {
    if (!rejected) {
      super.onHalfClose();
    }
  }

  @Override
  public void onReady() {
    if (!rejected) {
      super.onReady();
    }
  }
}
