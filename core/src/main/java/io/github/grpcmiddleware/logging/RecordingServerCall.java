package io.github.grpcmiddleware.logging;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import org.jspecify.annotations.Nullable;

/**
 * A server call wrapper that learns the status the caller actually received and reports it exactly
 * once, when the call ends.
 *
 * <p>{@code close} travels from the innermost wrapper outwards, so the status seen here is the one
 * error mapping (inner) produced. The outcome is decided in {@code onComplete}/{@code onCancel}:
 * after a cancel or a deadline the status the application closed with never reached the caller, so
 * the cancelled Context's cause wins there.
 */
abstract class RecordingServerCall<ReqT, RespT>
    extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {

  final Context context;
  final long startNanos;
  private volatile @Nullable Status closeStatus;
  // Listener callbacks are serialized by grpc-java, so a plain flag is enough.
  private boolean finished;

  RecordingServerCall(ServerCall<ReqT, RespT> delegate, Context context, long startNanos) {
    super(delegate);
    this.context = context;
    this.startNanos = startNanos;
  }

  /** Called after each message the application sent. */
  abstract void messageSent();

  /** Called before each message is handed to the application. */
  abstract void messageReceived();

  /** Called once, when the call has ended, with the status the caller received. */
  abstract void record(Status status, long durationNanos);

  @Override
  public void sendMessage(RespT message) {
    super.sendMessage(message);
    messageSent();
  }

  @Override
  public void close(Status status, Metadata trailers) {
    if (closeStatus == null) {
      closeStatus = status;
    }
    super.close(status, trailers);
  }

  /** Returns a listener that reports to this call; wrap the listener the next handler returned. */
  ServerCall.Listener<ReqT> listener(ServerCall.Listener<ReqT> delegate) {
    return new Listener<>(delegate, this);
  }

  private void finish(boolean completed) {
    if (finished) {
      return;
    }
    finished = true;
    Status status;
    Status closed = closeStatus;
    if (completed) {
      status = closed != null ? closed : Status.OK;
    } else {
      Status cancelled = Contexts.statusFromCancelled(context);
      status = cancelled != null ? cancelled : Status.CANCELLED;
    }
    record(status, System.nanoTime() - startNanos);
  }

  private static final class Listener<ReqT>
      extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT> {
    private final RecordingServerCall<ReqT, ?> call;

    Listener(ServerCall.Listener<ReqT> delegate, RecordingServerCall<ReqT, ?> call) {
      super(delegate);
      this.call = call;
    }

    @Override
    public void onMessage(ReqT message) {
      call.messageReceived();
      super.onMessage(message);
    }

    @Override
    public void onComplete() {
      try {
        super.onComplete();
      } finally {
        call.finish(true);
      }
    }

    @Override
    public void onCancel() {
      try {
        super.onCancel();
      } finally {
        call.finish(false);
      }
    }
  }
}
