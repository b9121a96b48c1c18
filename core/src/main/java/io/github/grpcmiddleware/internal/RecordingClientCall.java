package io.github.grpcmiddleware.internal;

import io.grpc.ClientCall;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.Status;

/**
 * A client call wrapper that reports the call's final status exactly once, in {@code onClose},
 * before the application's listener sees it (so a blocking stub returns after the record exists);
 * the client access log and client metrics extend it.
 *
 * <p>This class is internal and is hence not for public use. Its APIs are unstable and can change
 * at any time.
 *
 * @param <ReqT> the request type
 * @param <RespT> the response type
 */
public abstract class RecordingClientCall<ReqT, RespT>
    extends ForwardingClientCall.SimpleForwardingClientCall<ReqT, RespT> {

  /** When the call was made, from {@link System#nanoTime()}. */
  protected final long startNanos;

  private boolean finished;

  /**
   * Wraps a call.
   *
   * @param delegate the call
   * @param startNanos when the call was made, from {@link System#nanoTime()}
   */
  protected RecordingClientCall(ClientCall<ReqT, RespT> delegate, long startNanos) {
    super(delegate);
    this.startNanos = startNanos;
  }

  /** Called after each message the application sent. */
  protected abstract void messageSent();

  /** Called before each message is handed to the application. */
  protected abstract void messageReceived();

  /**
   * Called once, when the call has closed, with its status.
   *
   * @param status the call's status
   * @param durationNanos how long the call took
   */
  protected abstract void record(Status status, long durationNanos);

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
