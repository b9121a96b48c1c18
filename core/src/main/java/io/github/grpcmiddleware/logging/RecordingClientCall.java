package io.github.grpcmiddleware.logging;

import io.grpc.ClientCall;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.Status;

/**
 * A client call wrapper that reports the call's final status exactly once, in {@code onClose},
 * before the application's listener sees it (so a blocking stub returns after the record exists).
 */
abstract class RecordingClientCall<ReqT, RespT>
    extends ForwardingClientCall.SimpleForwardingClientCall<ReqT, RespT> {

  final long startNanos;
  private boolean finished;

  RecordingClientCall(ClientCall<ReqT, RespT> delegate, long startNanos) {
    super(delegate);
    this.startNanos = startNanos;
  }

  /** Called after each message the application sent. */
  abstract void messageSent();

  /** Called before each message is handed to the application. */
  abstract void messageReceived();

  /** Called once, when the call has closed, with its status. */
  abstract void record(Status status, long durationNanos);

  @Override
  public void start(ClientCall.Listener<RespT> responseListener, Metadata headers) {
    super.start(new Listener<>(responseListener, this), headers);
  }

  @Override
  public void sendMessage(ReqT message) {
    super.sendMessage(message);
    messageSent();
  }

  private void finish(Status status) {
    if (finished) {
      return;
    }
    finished = true;
    record(status, System.nanoTime() - startNanos);
  }

  private static final class Listener<RespT>
      extends ForwardingClientCallListener.SimpleForwardingClientCallListener<RespT> {
    private final RecordingClientCall<?, RespT> call;

    Listener(ClientCall.Listener<RespT> delegate, RecordingClientCall<?, RespT> call) {
      super(delegate);
      this.call = call;
    }

    @Override
    public void onMessage(RespT message) {
      call.messageReceived();
      super.onMessage(message);
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      try {
        call.finish(status);
      } finally {
        super.onClose(status, trailers);
      }
    }
  }
}
