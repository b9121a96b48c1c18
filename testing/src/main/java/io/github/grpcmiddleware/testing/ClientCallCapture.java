package io.github.grpcmiddleware.testing;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records each call as the client saw it: request headers sent, response headers, status and
 * trailers received.
 *
 * <p>Pass {@link #interceptor()} LAST to {@link GrpcServerExtension#channel} (nearest the
 * transport), so it sees the headers exactly as they go on the wire and the response before any
 * other interceptor changes it:
 *
 * <pre>{@code
 * ClientCallCapture capture = ClientCallCapture.create();
 * SimpleServiceBlockingStub stub = grpc.stub(SimpleServiceGrpc::newBlockingStub, capture.interceptor());
 * stub.unaryRpc(request);
 * assertThat(capture.lastCall().responseHeader("x-trace-id")).hasSize(32);
 * }</pre>
 *
 * <p>A blocking stub returns only after the capture recorded the close; with an asynchronous stub
 * use {@link CapturedClientCall#awaitClose}. grpc-stub's {@code
 * MetadataUtils.newCaptureMetadataInterceptor} keeps only the latest headers and trailers; this one
 * keeps every call and its status. This class is thread-safe.
 */
public final class ClientCallCapture {
  private final List<CapturedClientCall> calls = new CopyOnWriteArrayList<>();
  private final ClientInterceptor interceptor = new CapturingClientInterceptor();

  private ClientCallCapture() {}

  /**
   * Returns a new capture with no calls.
   *
   * @return the capture; never null
   */
  public static ClientCallCapture create() {
    return new ClientCallCapture();
  }

  /**
   * Returns the interceptor that records calls into this capture; always the same instance.
   *
   * @return the interceptor; never null
   */
  public ClientInterceptor interceptor() {
    return interceptor;
  }

  /**
   * Returns the calls recorded so far, oldest first.
   *
   * @return an unmodifiable copy; never null
   */
  public List<CapturedClientCall> calls() {
    return Collections.unmodifiableList(new ArrayList<>(calls));
  }

  /**
   * Returns the most recent call.
   *
   * @return the call; never null
   * @throws AssertionError when no call went through the interceptor
   */
  public CapturedClientCall lastCall() {
    int size = calls.size();
    if (size == 0) {
      throw new AssertionError(
          "ClientCallCapture: no call went through its interceptor; was the stub built on a"
              + " channel with capture.interceptor()?");
    }
    return calls.get(size - 1);
  }

  /** Forgets every recorded call. */
  public void clear() {
    calls.clear();
  }

  private final class CapturingClientInterceptor implements ClientInterceptor {
    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
      CapturedClientCall record = new CapturedClientCall(method.getFullMethodName());
      calls.add(record);
      return new SimpleForwardingClientCall<ReqT, RespT>(next.newCall(method, callOptions)) {
        @Override
        public void start(Listener<RespT> responseListener, Metadata headers) {
          record.onStart(headers);
          super.start(
              new SimpleForwardingClientCallListener<RespT>(responseListener) {
                @Override
                public void onHeaders(Metadata responseHeaders) {
                  record.onHeaders(responseHeaders);
                  super.onHeaders(responseHeaders);
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                  record.onClose(status, trailers);
                  super.onClose(status, trailers);
                }
              },
              headers);
        }
      };
    }
  }
}
