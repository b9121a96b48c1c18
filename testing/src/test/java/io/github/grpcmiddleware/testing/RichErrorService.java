package io.github.grpcmiddleware.testing;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.LocalizedMessage;
import com.google.rpc.PreconditionFailure;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;

/** Fails unary calls in the way request_message asks: "rich", "plain", "bug", else succeeds. */
final class RichErrorService extends SimpleServiceGrpc.SimpleServiceImplBase {
  static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  static final Metadata.Key<String> TRACE_KEY =
      Metadata.Key.of("x-trace-id", Metadata.ASCII_STRING_MARSHALLER);

  @Override
  public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
    switch (request.getRequestMessage()) {
      case "rich" ->
          responses.onError(StatusProto.toStatusRuntimeException(richStatus(), traceTrailers()));
      case "plain" ->
          responses.onError(Status.INTERNAL.withDescription("boom").asRuntimeException());
      case "bug" -> throw new IllegalStateException("secret internal detail");
      default -> {
        responses.onNext(SimpleResponse.getDefaultInstance());
        responses.onCompleted();
      }
    }
  }

  static com.google.rpc.Status richStatus() {
    return com.google.rpc.Status.newBuilder()
        .setCode(Code.NOT_FOUND.getNumber())
        .setMessage("找不到用户 7")
        .addDetails(
            Any.pack(
                LocalizedMessage.newBuilder().setLocale("zh-CN").setMessage("找不到用户 7").build()))
        .addDetails(
            Any.pack(
                ErrorInfo.newBuilder()
                    .setReason("USER_NOT_FOUND")
                    .setDomain("example.com")
                    .putMetadata("id", "7")
                    .build()))
        .addDetails(
            Any.pack(
                BadRequest.newBuilder()
                    .addFieldViolations(
                        BadRequest.FieldViolation.newBuilder()
                            .setField("id")
                            .setDescription("no such user"))
                    .build()))
        .addDetails(
            Any.pack(
                RetryInfo.newBuilder()
                    .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(2))
                    .build()))
        .addDetails(
            Any.pack(
                PreconditionFailure.newBuilder()
                    .addViolations(PreconditionFailure.Violation.newBuilder().setType("TOS"))
                    .build()))
        .build();
  }

  private static Metadata traceTrailers() {
    Metadata trailers = new Metadata();
    trailers.put(TRACE_KEY, TRACE_ID);
    return trailers;
  }
}
