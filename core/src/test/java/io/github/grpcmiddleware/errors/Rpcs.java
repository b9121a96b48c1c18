package io.github.grpcmiddleware.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Calls each RPC kind of {@code SimpleService} and returns the exception the call ended with. */
enum Rpcs {
  UNARY,
  CLIENT_STREAMING,
  SERVER_STREAMING,
  BIDI_STREAMING;

  static final SimpleRequest REQUEST =
      SimpleRequest.newBuilder().setRequestMessage("hello").build();

  StatusRuntimeException fail(Channel channel) {
    Throwable thrown = catchThrowable(() -> call(channel));
    if (thrown instanceof ExecutionException) {
      thrown = thrown.getCause();
    }
    assertThat(thrown).isInstanceOf(StatusRuntimeException.class);
    return (StatusRuntimeException) java.util.Objects.requireNonNull(thrown);
  }

  void call(Channel channel) throws Exception {
    switch (this) {
      case UNARY:
        blocking(channel).unaryRpc(REQUEST);
        return;
      case SERVER_STREAMING:
        blocking(channel).serverStreamingRpc(REQUEST).forEachRemaining(r -> {});
        return;
      default:
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<SimpleResponse> responses =
            new StreamObserver<SimpleResponse>() {
              @Override
              public void onNext(SimpleResponse value) {}

              @Override
              public void onError(Throwable t) {
                done.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                done.complete(null);
              }
            };
        SimpleServiceGrpc.SimpleServiceStub stub =
            SimpleServiceGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        StreamObserver<SimpleRequest> requests =
            this == CLIENT_STREAMING
                ? stub.clientStreamingRpc(responses)
                : stub.bidiStreamingRpc(responses);
        requests.onNext(REQUEST);
        requests.onNext(REQUEST);
        requests.onNext(REQUEST);
        requests.onCompleted();
        done.get(10, TimeUnit.SECONDS);
    }
  }

  private static SimpleServiceGrpc.SimpleServiceBlockingStub blocking(Channel channel) {
    return SimpleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }
}
