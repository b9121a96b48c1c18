package io.github.grpcmiddleware.errors;

import io.grpc.ForwardingServerCallListener;
import io.grpc.ServerCall;

/**
 * Catches what every callback of the inner listener throws and fails the call with it; after a
 * failure, drops {@code onMessage}, {@code onHalfClose} and {@code onReady} (the handler already
 * failed) but still delivers {@code onCancel} and {@code onComplete} so it can clean up.
 *
 * <p>This class is thread-safe as far as grpc-java's serialized callbacks require.
 */
final class ErrorMappingServerCallListener<ReqT>
    extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT> {

  private final ErrorMappingServerCall<ReqT, ?> call;

  ErrorMappingServerCallListener(
      ServerCall.Listener<ReqT> delegate, ErrorMappingServerCall<ReqT, ?> call) {
    super(delegate);
    this.call = call;
  }

  @Override
  public void onMessage(ReqT message) {
    if (call.failed()) {
      return;
    }
    try {
      super.onMessage(message);
    } catch (Throwable t) {
      handle(t);
    }
  }

  @Override
  public void onHalfClose() {
    if (call.failed()) {
      return;
    }
    try {
      super.onHalfClose();
    } catch (Throwable t) {
      handle(t);
    }
  }

  @Override
  public void onReady() {
    if (call.failed()) {
      return;
    }
    try {
      super.onReady();
    } catch (Throwable t) {
      handle(t);
    }
  }

  @Override
  public void onCancel() {
    try {
      super.onCancel();
    } catch (Throwable t) {
      handle(t);
    }
  }

  @Override
  public void onComplete() {
    try {
      super.onComplete();
    } catch (Throwable t) {
      handle(t);
    }
  }

  private void handle(Throwable t) {
    call.fail(t);
    rethrowIfError(t);
  }

  /** Errors (StackOverflowError, OutOfMemoryError, ...) are never swallowed. */
  static void rethrowIfError(Throwable t) {
    if (t instanceof Error) {
      throw (Error) t;
    }
  }
}
