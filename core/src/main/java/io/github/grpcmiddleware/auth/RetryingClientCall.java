package io.github.grpcmiddleware.auth;

import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import org.jspecify.annotations.Nullable;

/**
 * A call that is replayed once, with a freshly fetched token, when its first attempt ends with
 * {@code UNAUTHENTICATED} before any response header or message. It remembers what the application
 * did (headers, the one request message, half-close, requests, compression, cancel) so that the
 * second attempt can be brought to the same point; while it is being brought there, the
 * application's calls are recorded and replayed instead of forwarded. The application's listener
 * sees the first attempt's headers and messages only when there is no retry, and exactly one close.
 */
final class RetryingClientCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {
  private final MethodDescriptor<ReqT, RespT> method;
  private final CallOptions callOptions;
  private final Channel next;
  private final Context context;
  private final SentToken firstSent = new SentToken();

  private final Object lock = new Object();
  private ClientCall<ReqT, RespT> current; // guarded by lock
  private boolean replaying; // guarded by lock
  private @Nullable ReqT message; // guarded by lock
  private boolean halfClosed; // guarded by lock
  private int requested; // guarded by lock
  private @Nullable Boolean compression; // guarded by lock
  private boolean cancelled; // guarded by lock
  private @Nullable String cancelMessage; // guarded by lock
  private @Nullable Throwable cancelCause; // guarded by lock

  RetryingClientCall(MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    this.method = method;
    this.callOptions = callOptions;
    this.next = next;
    this.context = Context.current();
    this.current = next.newCall(method, callOptions.withOption(SentToken.KEY, firstSent));
  }

  @Override
  public void start(Listener<RespT> listener, Metadata headers) {
    Metadata replayHeaders = new Metadata();
    replayHeaders.merge(headers); // the transport adds to the first attempt's headers
    ClientCall<ReqT, RespT> first;
    synchronized (lock) {
      first = current;
    }
    first.start(new FirstAttemptListener(listener, replayHeaders), headers);
  }

  @Override
  public void request(int numMessages) {
    ClientCall<ReqT, RespT> call;
    synchronized (lock) {
      requested = saturatedAdd(requested, numMessages);
      if (replaying) {
        return;
      }
      call = current;
    }
    call.request(numMessages);
  }

  @Override
  public void cancel(@Nullable String message, @Nullable Throwable cause) {
    ClientCall<ReqT, RespT> call;
    synchronized (lock) {
      if (!cancelled) {
        cancelled = true;
        cancelMessage = message;
        cancelCause = cause;
      }
      if (replaying) {
        return;
      }
      call = current;
    }
    call.cancel(message, cause);
  }

  @Override
  public void halfClose() {
    ClientCall<ReqT, RespT> call;
    synchronized (lock) {
      halfClosed = true;
      if (replaying) {
        return;
      }
      call = current;
    }
    call.halfClose();
  }

  @Override
  public void sendMessage(ReqT request) {
    ClientCall<ReqT, RespT> call;
    synchronized (lock) {
      message = request;
      if (replaying) {
        return;
      }
      call = current;
    }
    call.sendMessage(request);
  }

  @Override
  public boolean isReady() {
    ClientCall<ReqT, RespT> call;
    synchronized (lock) {
      if (replaying) {
        return false;
      }
      call = current;
    }
    return call.isReady();
  }

  @Override
  public void setMessageCompression(boolean enabled) {
    ClientCall<ReqT, RespT> call;
    synchronized (lock) {
      compression = enabled;
      if (replaying) {
        return;
      }
      call = current;
    }
    call.setMessageCompression(enabled);
  }

  @Override
  public Attributes getAttributes() {
    ClientCall<ReqT, RespT> call;
    synchronized (lock) {
      call = current;
    }
    return call.getAttributes();
  }

  /**
   * Starts the second attempt unless the application cancelled meanwhile.
   *
   * @return false when there is no retry and the first attempt's close must be delivered
   */
  private boolean retry(Listener<RespT> listener, Metadata headers) {
    ClientCall<ReqT, RespT> second;
    Context previous = context.attach(); // the retry inherits the caller's cancellation
    try {
      second = next.newCall(method, callOptions);
    } finally {
      context.detach(previous);
    }
    ClientCall<ReqT, RespT> first;
    synchronized (lock) {
      if (cancelled) {
        return false; // the unstarted second attempt holds nothing
      }
      first = current;
      current = second;
      replaying = true;
    }
    try {
      second.start(listener, headers);
    } catch (RuntimeException e) {
      synchronized (lock) {
        current = first;
        replaying = false;
      }
      return false;
    }
    try {
      catchUp(second);
    } catch (RuntimeException e) {
      synchronized (lock) {
        replaying = false;
      }
      second.cancel("Replaying the call after UNAUTHENTICATED failed", e);
    }
    return true;
  }

  /** Replays what the application did to {@code second} until nothing is left, then goes live. */
  private void catchUp(ClientCall<ReqT, RespT> second) {
    boolean sentMessage = false;
    boolean sentHalfClose = false;
    int sentRequests = 0;
    @Nullable Boolean sentCompression = null;
    while (true) {
      ReqT toSend = null;
      Boolean compress = null;
      boolean halfClose = false;
      int more;
      String cancelWith = null;
      Throwable cancelBecause = null;
      boolean cancel = false;
      synchronized (lock) {
        if (cancelled) {
          cancel = true;
          cancelWith = cancelMessage;
          cancelBecause = cancelCause;
          replaying = false;
        }
        if (compression != null && !compression.equals(sentCompression)) {
          compress = compression;
        }
        if (!sentMessage) {
          toSend = message;
        }
        halfClose = !sentHalfClose && halfClosed;
        more = requested - sentRequests;
        if (!cancel && compress == null && toSend == null && !halfClose && more == 0) {
          replaying = false;
          message = null; // no further attempt: the request need not be kept
          return;
        }
      }
      if (cancel) {
        second.cancel(cancelWith, cancelBecause);
        return;
      }
      if (compress != null) {
        second.setMessageCompression(compress);
        sentCompression = compress;
      }
      if (toSend != null) {
        second.sendMessage(toSend);
        sentMessage = true;
      }
      if (halfClose) {
        second.halfClose();
        sentHalfClose = true;
      }
      if (more > 0) {
        second.request(more);
        sentRequests += more;
      }
    }
  }

  private static int saturatedAdd(int a, int b) {
    long sum = (long) a + b;
    return sum > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) sum;
  }

  /**
   * Forwards the first attempt's events; swallows its close when the retry takes over. Callbacks of
   * one attempt never run concurrently, so {@code responded} needs no lock.
   */
  private final class FirstAttemptListener extends Listener<RespT> {
    private final Listener<RespT> listener;
    private final Metadata replayHeaders;
    private boolean responded;

    FirstAttemptListener(Listener<RespT> listener, Metadata replayHeaders) {
      this.listener = listener;
      this.replayHeaders = replayHeaders;
    }

    @Override
    public void onHeaders(Metadata headers) {
      responded = true;
      listener.onHeaders(headers);
    }

    @Override
    public void onMessage(RespT response) {
      responded = true;
      listener.onMessage(response);
    }

    @Override
    public void onReady() {
      listener.onReady();
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      if (responded
          || status.getCode() != Status.Code.UNAUTHENTICATED
          || !firstSent.forceRefresh()
          || !retry(listener, replayHeaders)) {
        listener.onClose(status, trailers);
      }
    }
  }
}
