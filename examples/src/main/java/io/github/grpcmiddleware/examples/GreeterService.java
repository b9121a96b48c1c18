package io.github.grpcmiddleware.examples;

import io.github.grpcmiddleware.examples.proto.GreeterGrpc;
import io.github.grpcmiddleware.examples.proto.HelloRequest;
import io.github.grpcmiddleware.examples.proto.HelloResponse;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The public Greeter of the example contract: no credentials needed. */
final class GreeterService extends GreeterGrpc.GreeterImplBase {
  private static final Logger logger = LoggerFactory.getLogger(GreeterService.class);

  @Override
  public void sayHello(HelloRequest request, StreamObserver<HelloResponse> responseObserver) {
    String name = request.getName().isEmpty() ? "world" : request.getName();
    logger.info("greeting {}", LogText.escape(name));
    responseObserver.onNext(HelloResponse.newBuilder().setMessage("Hello, " + name + "!").build());
    responseObserver.onCompleted();
  }
}
