package io.github.grpcmiddleware.testing;

import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.ArrayList;
import java.util.List;

/** Echoes request_message in all four RPC kinds; calls a hook on the handler thread first. */
class EchoService extends SimpleServiceGrpc.SimpleServiceImplBase {
  private final Runnable onHandler;

  EchoService() {
    this(() -> {});
  }

  EchoService(Runnable onHandler) {
    this.onHandler = onHandler;
  }

  static SimpleRequest request(String text) {
    return SimpleRequest.newBuilder().setRequestMessage(text).build();
  }

  static SimpleResponse response(String text) {
    return SimpleResponse.newBuilder().setResponseMessage(text).build();
  }

  @Override
  public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
    onHandler.run();
    responses.onNext(response(request.getRequestMessage()));
    responses.onCompleted();
  }

  @Override
  public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
    onHandler.run();
    responses.onNext(response(request.getRequestMessage() + "-1"));
    responses.onNext(response(request.getRequestMessage() + "-2"));
    responses.onCompleted();
  }

  @Override
  public StreamObserver<SimpleRequest> clientStreamingRpc(
      StreamObserver<SimpleResponse> responses) {
    List<String> received = new ArrayList<>();
    return new StreamObserver<>() {
      @Override
      public void onNext(SimpleRequest request) {
        received.add(request.getRequestMessage());
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        onHandler.run();
        responses.onNext(response(String.join(",", received)));
        responses.onCompleted();
      }
    };
  }

  @Override
  public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> responses) {
    return new StreamObserver<>() {
      @Override
      public void onNext(SimpleRequest request) {
        onHandler.run();
        responses.onNext(response(request.getRequestMessage()));
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        onHandler.run();
        responses.onCompleted();
      }
    };
  }
}
