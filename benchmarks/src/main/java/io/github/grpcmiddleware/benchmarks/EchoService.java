package io.github.grpcmiddleware.benchmarks;

import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;

/**
 * The service every benchmark calls: unary and bidi echo, and a unary method that fails with an
 * unmapped exception when the request says {@code "fail"}.
 */
final class EchoService extends SimpleServiceGrpc.SimpleServiceImplBase {

  static final String FAIL = "fail";

  @Override
  public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responseObserver) {
    if (FAIL.equals(request.getRequestMessage())) {
      throw new IllegalStateException("database connection lost");
    }
    responseObserver.onNext(reply(request));
    responseObserver.onCompleted();
  }

  @Override
  public StreamObserver<SimpleRequest> bidiStreamingRpc(
      StreamObserver<SimpleResponse> responseObserver) {
    return new StreamObserver<SimpleRequest>() {
      @Override
      public void onNext(SimpleRequest value) {
        responseObserver.onNext(reply(value));
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        responseObserver.onCompleted();
      }
    };
  }

  private static SimpleResponse reply(SimpleRequest request) {
    return SimpleResponse.newBuilder().setResponseMessage(request.getRequestMessage()).build();
  }
}
