package com.example.greeter;

import com.example.greeter.proto.GreeterGrpc;
import com.example.greeter.proto.HelloReply;
import com.example.greeter.proto.HelloRequest;
import io.github.grpcmiddleware.errors.ServiceException;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Greets the caller by name. */
final class GreeterService extends GreeterGrpc.GreeterImplBase {
  // [START standalone_service]
  private static final Logger log = LoggerFactory.getLogger(GreeterService.class);
  static final int MAX_NAME = 40;

  @Override
  public void sayHello(HelloRequest request, StreamObserver<HelloReply> responses) {
    String name = request.getName();
    if (name.isEmpty()) {
      // INVALID_ARGUMENT in the caller's language, with a BadRequest field violation.
      throw ServiceException.builder(Status.Code.INVALID_ARGUMENT, "greeter.nameMissing")
          .fieldViolation("name", "must not be empty")
          .build();
    }
    if (name.length() > MAX_NAME) {
      throw ServiceException.builder(Status.Code.INVALID_ARGUMENT, "greeter.nameTooLong")
          .args(MAX_NAME, name.length())
          .fieldViolation("name", "too long")
          .build();
    }
    log.info("greeting {}", name); // the MDC holds traceId, locale and principal here
    responses.onNext(HelloReply.newBuilder().setMessage("Hello, " + name + "!").build());
    responses.onCompleted();
  }
  // [END standalone_service]
}
