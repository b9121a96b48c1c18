package io.github.grpcmiddleware.limits;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.concurrent.TimeUnit;

/**
 * A call whose deadline the server capped: when the cap passes, the call is closed with {@code
 * DEADLINE_EXCEEDED} from the timer's thread, as grpc-java does for a deadline the client sent.
 * What the handler sends or closes afterwards is dropped (its Context is cancelled, so a handler
 * that checks {@code Context.current().isCancelled()} stops). Sending and closing are serialized by
 * a per-call lock because the timer and the handler may close at the same time.
 *
 * <p>This class is thread-safe.
 */
final class CappedServerCall<ReqT, RespT>
    extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {

  private final Object lock = new Object();
  private final long capNanos;
  private boolean closed;
  private volatile boolean expired;

  CappedServerCall(ServerCall<ReqT, RespT> delegate, long capNanos) {
    super(delegate);
    this.capNanos = capNanos;
  }

  /** Closes the call because the cap passed, unless it is closed already. */
  void expire() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      expired = true;
      String description =
          "Deadline exceeded: the server allows at most "
              + TimeUnit.NANOSECONDS.toMillis(capNanos)
              + " ms for this method";
      try {
        super.close(Status.DEADLINE_EXCEEDED.withDescription(description), new Metadata());
      } catch (RuntimeException e) {
        // Closed by grpc-java meanwhile (the client went away): nothing left to tell anyone.
      }
    }
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
      if (!closed) {
        super.sendMessage(message);
      }
    }
  }

  @Override
  public void request(int numMessages) {
    synchronized (lock) {
      if (!closed) {
        super.request(numMessages);
      }
    }
  }

  @Override
  public boolean isReady() {
    return !expired && super.isReady();
  }

  @Override
  public boolean isCancelled() {
    return expired || super.isCancelled();
  }

  @Override
  public void close(Status status, Metadata trailers) {
    synchronized (lock) {
      if (expired) {
        return;
      }
      closed = true;
      super.close(status, trailers);
    }
  }
}
