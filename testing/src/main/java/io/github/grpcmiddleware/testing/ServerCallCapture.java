package io.github.grpcmiddleware.testing;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records each call as the server saw it: request headers, the SLF4J MDC on the thread of each
 * {@code onMessage}/{@code onHalfClose} callback, and the closing status and trailers.
 *
 * <p>Register {@link #interceptor()} LAST (innermost, next to the service), so it sees the headers,
 * MDC and status exactly as the service does:
 *
 * <pre>{@code
 * ServerCallCapture capture = ServerCallCapture.create();
 * GrpcServerExtension.builder().service(svc).interceptor(traceInterceptor, capture.interceptor())
 * ...
 * assertThat(capture.lastCall().header("traceparent")).isNotNull();
 * assertThat(capture.lastCall().mdc()).containsKey("traceId");
 * }</pre>
 *
 * <p>Request headers and the MDC of the callback that runs a unary handler are recorded before the
 * handler runs, so they are visible as soon as the client has its response; the close status may
 * arrive a moment later. This class is thread-safe.
 */
public final class ServerCallCapture {
  private final List<CapturedServerCall> calls = new CopyOnWriteArrayList<>();
  private final ServerInterceptor interceptor = new CapturingServerInterceptor();

  private ServerCallCapture() {}

  /**
   * Returns a new capture with no calls.
   *
   * @return the capture; never null
   */
  public static ServerCallCapture create() {
    return new ServerCallCapture();
  }

  /**
   * Returns the interceptor that records calls into this capture; always the same instance.
   *
   * @return the interceptor; never null
   */
  public ServerInterceptor interceptor() {
    return interceptor;
  }

  /**
   * Returns the calls recorded so far, oldest first.
   *
   * @return an unmodifiable copy; never null
   */
  public List<CapturedServerCall> calls() {
    return Collections.unmodifiableList(new ArrayList<>(calls));
  }

  /**
   * Returns the most recent call.
   *
   * @return the call; never null
   * @throws AssertionError when no call reached the interceptor
   */
  public CapturedServerCall lastCall() {
    int size = calls.size();
    if (size == 0) {
      throw new AssertionError(
          "ServerCallCapture: no call reached its interceptor; is capture.interceptor()"
              + " registered on the server, and did the call get past the interceptors before it?");
    }
    return calls.get(size - 1);
  }

  /**
   * Returns a copy of the request headers of the most recent call.
   *
   * @return the headers; never null
   * @throws AssertionError when no call reached the interceptor
   */
  public Metadata lastHeaders() {
    return lastCall().headers();
  }

  /** Forgets every recorded call. */
  public void clear() {
    calls.clear();
  }

  private final class CapturingServerInterceptor implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      CapturedServerCall record =
          new CapturedServerCall(call.getMethodDescriptor().getFullMethodName(), headers);
      calls.add(record);
      ServerCall<ReqT, RespT> recording =
          new SimpleForwardingServerCall<ReqT, RespT>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
              record.onClose(status, trailers);
              super.close(status, trailers);
            }
          };
      return new SimpleForwardingServerCallListener<ReqT>(next.startCall(recording, headers)) {
        @Override
        public void onMessage(ReqT message) {
          record.onCallback();
          super.onMessage(message);
        }

        @Override
        public void onHalfClose() {
          record.onCallback();
          super.onHalfClose();
        }
      };
    }
  }
}
