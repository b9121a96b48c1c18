package io.github.grpcmiddleware.i18n;

import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.Locale;
import org.slf4j.MDC;

/**
 * Answers every message with what the handler saw on its thread: {@code <Locales.current()
 * tag>|<MDC locale>}.
 */
final class RecordingService extends SimpleServiceGrpc.SimpleServiceImplBase {

  static String seen() {
    Locale locale = Locales.current();
    return (locale == null ? "none" : locale.toLanguageTag()) + "|" + MDC.get("locale");
  }

  static SimpleResponse response() {
    return SimpleResponse.newBuilder().setResponseMessage(seen()).build();
  }

  @Override
  public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responseObserver) {
    responseObserver.onNext(response());
    responseObserver.onCompleted();
  }

  @Override
  public void serverStreamingRpc(
      SimpleRequest request, StreamObserver<SimpleResponse> responseObserver) {
    responseObserver.onNext(response());
    responseObserver.onNext(response());
    responseObserver.onCompleted();
  }

  @Override
  public StreamObserver<SimpleRequest> clientStreamingRpc(
      StreamObserver<SimpleResponse> responseObserver) {
    return new StreamObserver<SimpleRequest>() {
      private final StringBuilder seen = new StringBuilder();

      @Override
      public void onNext(SimpleRequest value) {
        seen.append(seen()).append(';');
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        seen.append(seen());
        responseObserver.onNext(
            SimpleResponse.newBuilder().setResponseMessage(seen.toString()).build());
        responseObserver.onCompleted();
      }
    };
  }

  @Override
  public StreamObserver<SimpleRequest> bidiStreamingRpc(
      StreamObserver<SimpleResponse> responseObserver) {
    return new StreamObserver<SimpleRequest>() {
      @Override
      public void onNext(SimpleRequest value) {
        responseObserver.onNext(response());
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        responseObserver.onCompleted();
      }
    };
  }
}
