package io.github.grpcmiddleware.errors;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A service whose every RPC kind fails with {@link #failure}: thrown from the handler (unary and
 * server streaming: in onHalfClose; client streaming and bidi: in onMessage) or, with {@link
 * #viaOnError}, passed to {@code onError}.
 */
final class FailingService extends SimpleServiceGrpc.SimpleServiceImplBase {

  volatile Supplier<? extends Throwable> failure =
      () -> new IllegalStateException("secret: password=hunter2");
  volatile boolean viaOnError;
  volatile boolean failInOnReady;
  final AtomicInteger messagesSeen = new AtomicInteger();
  final AtomicInteger halfClosesSeen = new AtomicInteger();
  final AtomicInteger cancelsSeen = new AtomicInteger();

  @Override
  public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
    fail(responses);
  }

  @Override
  public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
    responses.onNext(SimpleResponse.newBuilder().setResponseMessage("first").build());
    fail(responses);
  }

  @Override
  public StreamObserver<SimpleRequest> clientStreamingRpc(
      StreamObserver<SimpleResponse> responses) {
    return streaming(responses);
  }

  @Override
  public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> responses) {
    return streaming(responses);
  }

  private StreamObserver<SimpleRequest> streaming(StreamObserver<SimpleResponse> responses) {
    ServerCallStreamObserver<SimpleResponse> call =
        (ServerCallStreamObserver<SimpleResponse>) responses;
    call.setOnCancelHandler(cancelsSeen::incrementAndGet);
    if (failInOnReady) {
      call.setOnReadyHandler(() -> fail(responses));
    }
    return new StreamObserver<SimpleRequest>() {
      @Override
      public void onNext(SimpleRequest value) {
        messagesSeen.incrementAndGet();
        if (!failInOnReady) {
          fail(responses);
        }
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        halfClosesSeen.incrementAndGet();
        responses.onNext(SimpleResponse.getDefaultInstance());
        responses.onCompleted();
      }
    };
  }

  private void fail(StreamObserver<SimpleResponse> responses) {
    Throwable t = failure.get();
    if (viaOnError) {
      responses.onError(t);
      return;
    }
    throw FailingService.<RuntimeException>sneaky(t);
  }

  @SuppressWarnings("unchecked")
  static <E extends Throwable> E sneaky(Throwable t) throws E {
    throw (E) t;
  }
}
