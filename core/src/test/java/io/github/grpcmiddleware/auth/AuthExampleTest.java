package io.github.grpcmiddleware.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's auth example, compiled and run. */
class AuthExampleTest {

  /** Greets the caller by the name auth found. */
  static final class GreeterService extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
      Principal caller = Auth.principal();
      String name = caller == null ? "stranger" : caller.getName();
      responses.onNext(SimpleResponse.newBuilder().setResponseMessage("hello " + name).build());
      responses.onCompleted();
    }
  }

  static String fetchToken() {
    return "s3cret"; // an OAuth 2.0 client-credentials request in real life
  }

  @Test
  void example() throws Exception {
    String name = InProcessServerBuilder.generateName();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
    // [START auth_example]
    // Server: every method but grpc.health.v1.Health needs "authorization: Bearer <token>".
    ServerInterceptor auth =
        Auth.serverBuilder()
            .authenticator(
                Authenticators.bearer(
                    token -> {
                      if (!token.equals("s3cret")) { // verify your JWT here
                        throw AuthenticationException.invalid();
                      }
                      return () -> "alice";
                    }))
            .authorizer((caller, method) -> !method.getFullMethodName().endsWith("/Admin"))
            .principalInMdc(true)
            .build();
    Server server =
        InProcessServerBuilder.forName(name) // or ServerBuilder.forPort(8443).useTransportSecurity
            .addService(ServerInterceptors.intercept(new GreeterService(), auth))
            .build()
            .start();

    // Client: a cached token, fetched again a minute before it expires, one fetch at a time.
    CallCredentials credentials =
        Auth.clientBuilder()
            .bearerToken(
                () -> AccessToken.of(fetchToken(), Instant.now().plus(Duration.ofHours(1))))
            .refreshAhead(Duration.ofMinutes(1))
            .build();
    SimpleServiceGrpc.SimpleServiceBlockingStub stub =
        SimpleServiceGrpc.newBlockingStub(channel).withCallCredentials(credentials);
    // [END auth_example]
    try {
      SimpleResponse response =
          stub.withDeadlineAfter(10, TimeUnit.SECONDS).unaryRpc(SimpleRequest.getDefaultInstance());
      assertThat(response.getResponseMessage()).isEqualTo("hello alice");

      StatusRuntimeException anonymous =
          org.assertj.core.api.Assertions.catchThrowableOfType(
              StatusRuntimeException.class,
              () ->
                  SimpleServiceGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .unaryRpc(SimpleRequest.getDefaultInstance()));
      assertThat(anonymous.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
      server.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
