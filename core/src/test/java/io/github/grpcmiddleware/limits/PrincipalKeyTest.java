package io.github.grpcmiddleware.limits;

import static io.github.grpcmiddleware.limits.Harness.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.QuotaFailure;
import io.github.grpcmiddleware.auth.Auth;
import io.github.grpcmiddleware.auth.Authenticators;
import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.Metadata;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PrincipalKeyTest {

  /** Opens a bidi call, sends one message, half-closes and waits for the end of the call. */
  private static Status bidi(SimpleServiceGrpc.SimpleServiceStub stub) throws Exception {
    CompletableFuture<Status> end = new CompletableFuture<>();
    StreamObserver<SimpleRequest> requests =
        stub.bidiStreamingRpc(
            new StreamObserver<SimpleResponse>() {
              @Override
              public void onNext(SimpleResponse value) {}

              @Override
              public void onError(Throwable t) {
                end.complete(Status.fromThrowable(t));
              }

              @Override
              public void onCompleted() {
                end.complete(Status.OK);
              }
            });
    requests.onNext(request("hello"));
    requests.onCompleted();
    return end.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aPrincipalNamedAnonymousHasABucketOfItsOwn() throws Exception {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer a-token");
    ServerInterceptor chain =
        ServerChain.builder()
            .errorMapping(ErrorMapping.serverBuilder().build())
            .auth(
                Auth.serverBuilder()
                    .authenticator(Authenticators.bearerTokens(Map.of("a-token", "anonymous")))
                    .exempt(MethodSelector.of("grpc.testing.SimpleService/BidiStreamingRpc"))
                    .build())
            .limits(
                Limits.serverBuilder()
                    .rateLimit(
                        "per-caller",
                        MethodSelector.of("*"),
                        LimitKey.principal(),
                        1,
                        Duration.ofHours(1))
                    .build())
            .build();
    try (Harness h = Harness.inProcess(new ControlledService(), chain)) {
      // An unauthenticated caller (an exempt method) spends the bucket of unauthenticated callers.
      assertThat(bidi(h.async())).isEqualTo(Status.OK);
      Status second = bidi(h.async());
      assertThat(second.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);

      // The user whose name happens to be "anonymous" still has a whole bucket.
      SimpleServiceGrpc.SimpleServiceBlockingStub user =
          h.blocking().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
      assertThat(user.unaryRpc(request("ok")).getResponseMessage()).isEqualTo("ok");
      StatusRuntimeException e =
          catchThrowableOfType(StatusRuntimeException.class, () -> user.unaryRpc(request("ok")));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(Details.detail(e, QuotaFailure.class).getViolations(0).getSubject())
          .isEqualTo("principal:anonymous");
    }
  }
}
