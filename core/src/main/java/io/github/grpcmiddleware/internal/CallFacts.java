package io.github.grpcmiddleware.internal;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * This class is internal and is hence not for public use. Its APIs are unstable and can change at
 * any time.
 *
 * <p>What is known about a server call: its method (by name from the first moment, by descriptor
 * once grpc-java found it), headers, peer, deadline, start time and message counts. The first of
 * the classes {@link ServerCallScope} is made of, one per concern, so that the call's record stays
 * one object (the bytes per call are what the benchmarks measure): the record is also the owner's
 * listener, hence this root.
 */
abstract class CallFacts extends ServerCall.Listener<Object> {

  final long startNanos;
  final boolean viaTracer;

  private volatile @Nullable MethodDescriptor<?, ?> method;
  private volatile String fullMethodName;
  private volatile @Nullable Metadata headers;
  private volatile @Nullable SocketAddress peer;
  private volatile @Nullable CallExtras extras;

  /** Messages the outermost pipeline's listener was given; written by serialized callbacks. */
  volatile int received;

  /** Messages the application sent that went to the transport. */
  volatile int sent;

  /** Messages the transport read (the stream tracer's count); -1 without the tracer. */
  volatile int transportInbound;

  CallFacts(long startNanos, boolean viaTracer, String fullMethodName) {
    this.startNanos = startNanos;
    this.viaTracer = viaTracer;
    this.fullMethodName = fullMethodName;
    this.transportInbound = viaTracer ? 0 : -1;
  }

  /** What few calls need; made on first need. */
  final CallExtras extras() {
    CallExtras made = extras;
    if (made == null) {
      synchronized (this) {
        made = extras;
        if (made == null) {
          made = new CallExtras();
          extras = made;
        }
      }
    }
    return made;
  }

  /** What few calls need, or null when none was made. */
  final @Nullable CallExtras extrasOrNull() {
    return extras;
  }

  /** Sets what grpc-java tells the stream tracer once it found the method. */
  final void started(MethodDescriptor<?, ?> method, @Nullable SocketAddress peer) {
    this.fullMethodName = method.getFullMethodName();
    this.peer = peer;
    this.method = method;
  }

  /** Sets what the call itself says, unless the tracer said it already. */
  final void describe(ServerCall<?, ?> call, Metadata headers) {
    if (this.headers == null) {
      this.headers = headers;
    }
    if (method == null) {
      MethodDescriptor<?, ?> descriptor = call.getMethodDescriptor();
      fullMethodName = descriptor.getFullMethodName();
      peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
      method = descriptor;
    }
  }

  final void setHeaders(Metadata headers) {
    this.headers = headers;
  }

  /**
   * Returns the method, or null while grpc-java has not found it (and for methods the server does
   * not know).
   */
  public final @Nullable MethodDescriptor<?, ?> method() {
    return method;
  }

  /** Returns the full method name the caller asked for (caller-controlled for unknown methods). */
  public final String fullMethodName() {
    return fullMethodName;
  }

  /** Returns the call's request headers, or null when not known yet. */
  public final @Nullable Metadata headers() {
    return headers;
  }

  /** Returns the remote address, or null when unknown. */
  public final @Nullable SocketAddress peer() {
    return peer;
  }

  /**
   * Records the time the current Context's deadline leaves the call, for a part that reports it
   * (the access log); called while the call starts, so it is the deadline the client sent. Only
   * such a part pays for the look-up.
   */
  public final void recordDeadline() {
    Deadline deadline = Context.current().getDeadline();
    if (deadline != null) {
      extras().deadlineNanos = Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS));
    }
  }

  /**
   * Returns the time the call had left when {@link #recordDeadline()} ran, in nanoseconds.
   *
   * @return the time left, or -1 when the call had no deadline (or none was recorded)
   */
  public final long deadlineNanos() {
    CallExtras made = extras;
    return made == null ? -1 : made.deadlineNanos;
  }

  /** Returns when the call started, in {@link System#nanoTime()} units. */
  public final long startNanos() {
    return startNanos;
  }

  /** Returns how many messages the application received. */
  public final int received() {
    return received;
  }

  /** Returns how many messages the application sent. */
  public final int sent() {
    return sent;
  }

  /** Whether the transport reports the call's end (the stream tracer is installed). */
  public final boolean viaTracer() {
    return viaTracer;
  }
}
