package io.github.grpcmiddleware.examples;

import io.github.grpcmiddleware.examples.proto.GreeterGrpc;
import io.github.grpcmiddleware.examples.proto.HelloRequest;
import io.github.grpcmiddleware.examples.proto.HelloResponse;
import io.grpc.stub.StreamObserver;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public Greeter of the example contract: no credentials needed. With a guestbook (the example
 * server's {@code --downstream}), each greeting is first signed into the Go guestbook; its refusal
 * escapes as the client stub's {@code StatusRuntimeException}, which error mapping translates.
 */
final class GreeterService extends GreeterGrpc.GreeterImplBase {
  private static final Logger logger = LoggerFactory.getLogger(GreeterService.class);

  private final @Nullable GuestbookClient guestbook;

  GreeterService() {
    this(null);
  }

  GreeterService(@Nullable GuestbookClient guestbook) {
    this.guestbook = guestbook;
  }

  @Override
  public void sayHello(HelloRequest request, StreamObserver<HelloResponse> responseObserver) {
    String name = request.getName().isEmpty() ? "world" : request.getName();
    if (guestbook != null) {
      long entry = guestbook.sign(name);
      logger.info("guestbook entry {} for {}", entry, LogText.escape(name));
    }
    logger.info("greeting {}", LogText.escape(name));
    responseObserver.onNext(HelloResponse.newBuilder().setMessage("Hello, " + name + "!").build());
    responseObserver.onCompleted();
  }
}
