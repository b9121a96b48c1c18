package io.github.grpcmiddleware.internal;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This class is internal and is hence not for public use. Its APIs are unstable and can change at
 * any time.
 *
 * <p>A call wrapper for a part that may end the call itself while the handler still runs (a
 * deadline cap that passed, a request that failed validation): once closed, what the handler sends,
 * requests or closes afterwards is dropped. Sends, requests and closes are serialized on the
 * wrapper's monitor, because the part and the handler may close at the same time from different
 * threads; a subclass that checks a message before sending it does so under that monitor too.
 *
 * <p>This class is thread-safe.
 *
 * @param <ReqT> request type
 * @param <RespT> response type
 */
public abstract class GuardedServerCall<ReqT, RespT>
    extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
  private static final Logger logger = LoggerFactory.getLogger(GuardedServerCall.class);

  private boolean closed; // guarded by this

  /**
   * Wraps a call.
   *
   * @param delegate the call; not null
   */
  protected GuardedServerCall(ServerCall<ReqT, RespT> delegate) {
    super(delegate);
  }

  @Override
  public void sendHeaders(Metadata headers) {
    synchronized (this) {
      if (!closed) {
        super.sendHeaders(headers);
      }
    }
  }

  @Override
  public void sendMessage(RespT message) {
    synchronized (this) {
      if (!closed) {
        super.sendMessage(message);
      }
    }
  }

  @Override
  public void request(int numMessages) {
    synchronized (this) {
      if (!closed) {
        super.request(numMessages);
      }
    }
  }

  @Override
  public boolean isReady() {
    synchronized (this) {
      if (closed) {
        return false;
      }
    }
    return super.isReady();
  }

  @Override
  public void close(Status status, Metadata trailers) {
    synchronized (this) {
      if (closed) {
        logger.debug("ignoring the handler's close({}): the call was closed already", status);
        return;
      }
      closed = true;
      super.close(status, trailers);
    }
  }

  /**
   * Tells whether the call is closed (by the handler or by the part); call it while holding this
   * object's monitor to act on the answer.
   *
   * @return true once closed
   */
  protected final boolean isClosed() {
    synchronized (this) {
      return closed;
    }
  }

  /**
   * Marks the call closed for the part, unless it is closed already; from then on the handler's
   * sends and close are dropped. The part then closes the delegate with {@link #closeDelegate}.
   *
   * @return false when the call was closed already (nothing to do)
   */
  protected final boolean markClosed() {
    synchronized (this) {
      if (closed) {
        return false;
      }
      closed = true;
      return true;
    }
  }

  /**
   * Closes the wrapped call for the part after {@link #markClosed()}; never throws (grpc-java may
   * have closed the call meanwhile, when the client went away: nothing is left to tell anyone).
   *
   * @param status the status; not null
   * @param trailers the trailers; not null
   */
  protected final void closeDelegate(Status status, Metadata trailers) {
    synchronized (this) {
      try {
        super.close(status, trailers);
      } catch (RuntimeException e) {
        logger.debug("closing the call for {} failed", status.getCode(), e);
      }
    }
  }
}
