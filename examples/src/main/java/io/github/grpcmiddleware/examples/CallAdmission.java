package io.github.grpcmiddleware.examples;

import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The server-wide cap on calls in flight, the part of the memory budget that no grpc-java setting
 * holds: each call the service runs may make the server hold its flow-control window, one message
 * and its outbound share ({@link MemoryBudget#perCallBytes}), and grpc-java refills the connection
 * window by itself, so without a cap what the server holds grows with connections times streams.
 *
 * <p>A stream tracer follows every stream from creation to {@code streamClosed} (grpc-java calls it
 * once, however the stream ends); the interceptor admits the call when fewer than the cap are in
 * flight and otherwise answers {@code RESOURCE_EXHAUSTED} before the service reads a byte. The
 * interceptor must be registered before the chain ({@code ProductionSettings.applyTo} does it), so
 * that it runs just before the service: calls that auth rejects are never counted, and the access
 * log and metrics record the rejections. Admitted calls are also reported to the {@link
 * ConnectionLimit}, so that connections serving calls are not the ones it closes.
 *
 * <p>This class is thread-safe.
 */
final class CallAdmission {
  private static final Context.Key<Stream> STREAM = Context.key("example-call-admission");

  private final int maxInFlight;
  private final ConnectionLimit connections;
  private final AtomicInteger inFlight = new AtomicInteger();

  CallAdmission(int maxInFlight, ConnectionLimit connections) {
    this.maxInFlight = maxInFlight;
    this.connections = connections;
  }

  /** Follows every stream; register with {@code NettyServerBuilder.addStreamTracerFactory}. */
  ServerStreamTracer.Factory tracerFactory() {
    return new ServerStreamTracer.Factory() {
      @Override
      public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
        return new Stream();
      }
    };
  }

  /** Admits or refuses each call; register with {@code intercept} before the chain. */
  ServerInterceptor interceptor() {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        Stream stream = STREAM.get();
        if (stream != null
            && !stream.admit(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR))) {
          call.close(
              Status.RESOURCE_EXHAUSTED.withDescription(
                  "server busy: " + maxInFlight + " calls in flight"),
              new Metadata());
          return new ServerCall.Listener<ReqT>() {};
        }
        return next.startCall(call, headers);
      }
    };
  }

  /** Calls admitted and not yet closed. */
  int inFlight() {
    return inFlight.get();
  }

  private final class Stream extends ServerStreamTracer {
    private static final int NEW = 0;
    private static final int ADMITTED = 1;
    private static final int CLOSED = 2;

    private final AtomicInteger state = new AtomicInteger(NEW);
    private volatile @Nullable SocketAddress peer;

    @Override
    public Context filterContext(Context context) {
      return context.withValue(STREAM, this);
    }

    boolean admit(@Nullable SocketAddress remote) {
      if (inFlight.incrementAndGet() > maxInFlight) {
        inFlight.decrementAndGet();
        return false;
      }
      peer = remote;
      if (remote != null) {
        connections.callStarted(remote);
      }
      if (!state.compareAndSet(NEW, ADMITTED)) { // the stream closed first: nothing will end it
        inFlight.decrementAndGet();
        if (remote != null) {
          connections.callEnded(remote);
        }
      }
      return true;
    }

    @Override
    public void streamClosed(Status status) {
      if (state.getAndSet(CLOSED) == ADMITTED) {
        inFlight.decrementAndGet();
        SocketAddress remote = peer;
        if (remote != null) {
          connections.callEnded(remote);
        }
      }
    }
  }
}
