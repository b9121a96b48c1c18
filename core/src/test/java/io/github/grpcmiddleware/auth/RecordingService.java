package io.github.grpcmiddleware.auth;

import io.grpc.ServerInterceptor;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.security.Principal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.MDC;

/** Answers every RPC kind with the caller's principal name; counts how often a handler ran. */
final class RecordingService extends SimpleServiceGrpc.SimpleServiceImplBase {
  final AtomicInteger handlerCalls = new AtomicInteger();
  final List<String> mdcPrincipals = new CopyOnWriteArrayList<>();

  /** Server auth that accepts any bearer token starting with {@code tok-}, named after it. */
  static ServerInterceptor acceptingTokTokens() {
    return Auth.serverBuilder()
        .authenticator(
            Authenticators.bearer(
                token -> token.startsWith("tok-") ? new NamedPrincipal(token) : null))
        .build();
  }

  private SimpleResponse whoAmI() {
    Principal principal = Auth.principal();
    String mdc = MDC.get("principal");
    mdcPrincipals.add(mdc == null ? "<none>" : mdc);
    return SimpleResponse.newBuilder()
        .setResponseMessage(principal == null ? "<anonymous>" : principal.getName())
        .build();
  }

  @Override
  public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
    handlerCalls.incrementAndGet();
    responses.onNext(whoAmI());
    responses.onCompleted();
  }

  @Override
  public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
    handlerCalls.incrementAndGet();
    responses.onNext(whoAmI());
    responses.onNext(whoAmI());
    responses.onCompleted();
  }

  @Override
  public StreamObserver<SimpleRequest> clientStreamingRpc(
      StreamObserver<SimpleResponse> responses) {
    handlerCalls.incrementAndGet();
    return new StreamObserver<SimpleRequest>() {
      @Override
      public void onNext(SimpleRequest value) {}

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        responses.onNext(whoAmI());
        responses.onCompleted();
      }
    };
  }

  @Override
  public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> responses) {
    handlerCalls.incrementAndGet();
    return new StreamObserver<SimpleRequest>() {
      @Override
      public void onNext(SimpleRequest value) {
        responses.onNext(whoAmI());
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        responses.onCompleted();
      }
    };
  }
}
