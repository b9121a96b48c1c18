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
 * <p>A call wrapper for a part that may close the call itself while the handler still runs (error
 * mapping after a failure, a deadline cap that passed, a request that failed validation). The call
 * is closed once: a later close, the handler's or the part's, is dropped. Once the part closed it,
 * what the handler sends or requests is dropped too; a handler that sends after its own close gets
 * grpc-java's answer, as without the part. Sends, requests and closes are serialized on the
 * wrapper's monitor, because the part and the handler may close at the same time from different
 * threads; a subclass that renders a status or checks a message does so under that monitor too.
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
  private volatile boolean closedByPart;

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
      if (!closedByPart) {
        super.sendHeaders(headers);
      }
    }
  }

  @Override
  public boolean isReady() {
    return !closedByPart && super.isReady();
  }

  @Override
  public void sendMessage(RespT message) {
    synchronized (this) {
      if (closedByPart) {
        return;
      }
      super.sendMessage(message);
    }
  }

  @Override
  public void close(Status status, Metadata trailers) {
    synchronized (this) {
      if (closed) {
        logger.debug("ignoring close({}) of a call already closed", status.getCode());
        return;
      }
      closed = true;
      closeForHandler(status, trailers);
    }
  }

  @Override
  public void request(int numMessages) {
    synchronized (this) {
      if (!closedByPart) {
        super.request(numMessages);
      }
    }
  }

  /**
   * Closes the wrapped call for the handler's {@code close}, once; called holding this object's
   * monitor. By default it forwards the status as it is.
   *
   * @param status the handler's status; not null
   * @param trailers the handler's trailers; not null
   */
  protected void closeForHandler(Status status, Metadata trailers) {
    delegate().close(status, trailers);
  }

  /**
   * Tells whether the part closed the call.
   *
   * @return true once {@link #markClosedByPart()} succeeded
   */
  protected final boolean isClosedByPart() {
    return closedByPart;
  }

  /**
   * Marks the call closed by the part, unless it is closed already; from then on the handler's
   * sends and close are dropped. The part then closes the wrapped call, holding this object's
   * monitor, with {@link #closeDelegate}.
   *
   * @return false when the call was closed already (nothing to do)
   */
  protected final boolean markClosedByPart() {
    synchronized (this) {
      if (closed) {
        return false;
      }
      closed = true;
      closedByPart = true;
      return true;
    }
  }

  /**
   * Closes the wrapped call for the part after {@link #markClosedByPart()}; never throws (grpc-java
   * may have closed the call meanwhile, when the client went away: nothing is left to tell anyone).
   *
   * @param status the status; not null
   * @param trailers the trailers; not null
   */
  protected final void closeDelegate(Status status, Metadata trailers) {
    synchronized (this) {
      try {
        delegate().close(status, trailers);
      } catch (RuntimeException e) {
        logger.debug("closing the call with {} failed", status.getCode(), e);
      }
    }
  }
}
