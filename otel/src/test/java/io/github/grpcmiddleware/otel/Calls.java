package io.github.grpcmiddleware.otel;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Makes one call of each RPC kind with real generated stubs and waits for its status. */
final class Calls {
  static final String[] KINDS = {"unary", "server", "client", "bidi"};

  private Calls() {}

  static SimpleRequest request(String text) {
    return SimpleRequest.newBuilder().setRequestMessage(text).build();
  }

  /** Runs one call of the kind ("unary", "server", "client", "bidi"); returns its status. */
  static Status call(Channel channel, String kind) throws Exception {
    SimpleRequest request = request(kind);
    switch (kind) {
      case "unary":
        try {
          SimpleServiceGrpc.newBlockingStub(channel).unaryRpc(request);
          return Status.OK;
        } catch (RuntimeException e) {
          return Status.fromThrowable(e);
        }
      case "server":
        try {
          Iterator<SimpleResponse> it =
              SimpleServiceGrpc.newBlockingStub(channel).serverStreamingRpc(request);
          it.forEachRemaining(r -> {});
          return Status.OK;
        } catch (RuntimeException e) {
          return Status.fromThrowable(e);
        }
      case "client":
      case "bidi":
        CompletableFuture<Status> done = new CompletableFuture<>();
        StreamObserver<SimpleResponse> responses =
            new StreamObserver<SimpleResponse>() {
              @Override
              public void onNext(SimpleResponse value) {}

              @Override
              public void onError(Throwable t) {
                done.complete(Status.fromThrowable(t));
              }

              @Override
              public void onCompleted() {
                done.complete(Status.OK);
              }
            };
        SimpleServiceGrpc.SimpleServiceStub stub = SimpleServiceGrpc.newStub(channel);
        StreamObserver<SimpleRequest> requests =
            kind.equals("client")
                ? stub.clientStreamingRpc(responses)
                : stub.bidiStreamingRpc(responses);
        requests.onNext(request);
        requests.onNext(request);
        requests.onCompleted();
        return done.get(10, TimeUnit.SECONDS);
      default:
        throw new IllegalArgumentException(kind);
    }
  }
}
