package io.github.grpcmiddleware.internal;

import io.grpc.Context;
import io.grpc.ForwardingServerCallListener;
import io.grpc.ServerCall;
import org.jspecify.annotations.Nullable;

/**
 * The owner's listener: attaches the scope's Context (when grpc-java does not already) and puts
 * every MDC entry of the call around each callback, restoring what the MDC held before; counts
 * received messages; ends the call when no stream tracer reports its end.
 *
 * <p>grpc-java serializes a call's callbacks, so one saved-MDC array serves them all. This is the
 * only place the library writes the five-callback bracket on the server.
 */
final class ScopedServerListener<ReqT>
    extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT> {
  private final ServerCallScope scope;
  private final @Nullable String[] saved;

  ScopedServerListener(
      ServerCall.Listener<ReqT> delegate, ServerCallScope scope, @Nullable String[] saved) {
    super(delegate);
    this.scope = scope;
    this.saved = saved;
  }

  private @Nullable Context enter() {
    Context attached = scope.ownContext();
    Context previous = attached == null ? null : attached.attach();
    scope.putMdc(saved);
    return previous;
  }

  private void exit(@Nullable Context previous) {
    scope.restoreMdc(saved);
    Context attached = scope.ownContext();
    if (attached != null) {
      attached.detach(previous);
    }
  }

  @Override
  @SuppressWarnings("NonAtomicVolatileUpdate") // callbacks are serialized
  public void onMessage(ReqT message) {
    Context previous = enter();
    try {
      scope.received++;
      super.onMessage(message);
    } finally {
      exit(previous);
    }
  }

  @Override
  public void onHalfClose() {
    Context previous = enter();
    try {
      super.onHalfClose();
    } finally {
      exit(previous);
    }
  }

  @Override
  public void onReady() {
    Context previous = enter();
    try {
      super.onReady();
    } finally {
      exit(previous);
    }
  }

  @Override
  public void onCancel() {
    Context previous = enter();
    try {
      super.onCancel();
    } finally {
      try {
        scope.cancelled();
      } finally {
        exit(previous);
      }
    }
  }

  @Override
  public void onComplete() {
    Context previous = enter();
    try {
      super.onComplete();
    } finally {
      try {
        scope.completed();
      } finally {
        exit(previous);
      }
    }
  }
}
