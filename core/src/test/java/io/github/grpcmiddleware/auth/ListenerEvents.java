package io.github.grpcmiddleware.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.testing.protobuf.SimpleResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** What the application's listener of a call saw, in order; for the retry tests. */
final class ListenerEvents extends ClientCall.Listener<SimpleResponse> {
  static final Metadata.Key<String> FAIL_AFTER_HEADERS =
      Metadata.Key.of("x-fail-after-headers", Metadata.ASCII_STRING_MARSHALLER);

  /** Sends response headers, then rejects the call: too late for a retry. */
  static final ServerInterceptor HEADERS_THEN_UNAUTHENTICATED =
      new ServerInterceptor() {
        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
          if (!headers.containsKey(FAIL_AFTER_HEADERS)) {
            return next.startCall(call, headers);
          }
          call.sendHeaders(new Metadata());
          call.close(Status.UNAUTHENTICATED.withDescription("revoked mid-call"), new Metadata());
          return new ServerCall.Listener<ReqT>() {};
        }
      };

  final List<String> seen = new CopyOnWriteArrayList<>();
  final CountDownLatch closed = new CountDownLatch(1);
  volatile Status status = Status.UNKNOWN;

  @Override
  public void onHeaders(Metadata headers) {
    seen.add("headers");
  }

  @Override
  public void onMessage(SimpleResponse message) {
    seen.add("message " + message.getResponseMessage());
  }

  @Override
  public void onClose(Status status, Metadata trailers) {
    this.status = status;
    seen.add("close " + status.getCode());
    closed.countDown();
  }

  List<String> await() throws InterruptedException {
    assertThat(closed.await(10, TimeUnit.SECONDS)).as("call closed").isTrue();
    return seen;
  }
}
