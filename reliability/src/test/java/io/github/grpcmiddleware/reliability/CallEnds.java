package io.github.grpcmiddleware.reliability;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Sits in the chain's observability slot (outside error mapping) and records, per call, every
 * {@code close} that reaches it and every {@code onComplete}/{@code onCancel}: a call must close at
 * most once and end exactly once.
 */
final class CallEnds implements ServerInterceptor {
  final List<String> closes = new CopyOnWriteArrayList<>();
  final List<String> ends = new CopyOnWriteArrayList<>();

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String method = call.getMethodDescriptor().getBareMethodName();
    ServerCall<ReqT, RespT> recording =
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            closes.add(method + ":" + status.getCode());
            super.close(status, trailers);
          }
        };
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
        next.startCall(recording, headers)) {
      @Override
      public void onComplete() {
        ends.add(method + ":complete");
        super.onComplete();
      }

      @Override
      public void onCancel() {
        ends.add(method + ":cancel");
        super.onCancel();
      }
    };
  }

  /** Waits until {@code count} calls have ended (the server side may lag behind the client). */
  void awaitEnds(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (ends.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }
}
