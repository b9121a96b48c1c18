package io.github.grpcmiddleware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.auth.Auth;
import io.github.grpcmiddleware.auth.AuthenticationException;
import io.github.grpcmiddleware.auth.Authenticators;
import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.examples.ExampleServices;
import io.github.grpcmiddleware.examples.proto.GreeterGrpc;
import io.github.grpcmiddleware.examples.proto.HelloRequest;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.testing.TestCredentials;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.BindableService;
import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The gRPC status code guide, for every status the library itself produces: never a code reserved
 * for applications, PERMISSION_DENIED only for an identified caller, and auth exemptions that match
 * exact, case-sensitive service names only.
 */
class StatusCodeGuideTest {
  private static final Set<Status.Code> RESERVED_FOR_APPLICATIONS =
      EnumSet.of(
          Status.Code.INVALID_ARGUMENT,
          Status.Code.NOT_FOUND,
          Status.Code.ALREADY_EXISTS,
          Status.Code.FAILED_PRECONDITION,
          Status.Code.ABORTED,
          Status.Code.OUT_OF_RANGE,
          Status.Code.DATA_LOSS);

  private static final String TOKEN = "guide-token-1";
  private static final String DOWN = "idp-down-token";
  private static final String BROKEN = "authenticator-bug-token";

  /** Denies every method to every identified caller; throws for one caller. */
  private static ServerInterceptor chain(boolean requireTls) {
    return ServerChain.builder()
        .tracing(TraceIds.newServerInterceptor())
        .errorMapping(ErrorMapping.serverBuilder().build())
        .auth(
            Auth.serverBuilder()
                .authenticator(
                    (headers, attributes) -> {
                      String value = headers.get(Rpc.ascii("authorization"));
                      if (("Bearer " + DOWN).equals(value)) {
                        throw AuthenticationException.unavailable(null);
                      }
                      if (("Bearer " + BROKEN).equals(value)) {
                        throw new IllegalStateException("authenticator bug");
                      }
                      return Authenticators.bearerTokens(Map.of(TOKEN, "someone"))
                          .authenticate(headers, attributes);
                    })
                .authorizer(
                    (principal, method) -> {
                      if (method.getFullMethodName().endsWith("ClientStreamingRpc")) {
                        throw new IllegalStateException("authorizer bug");
                      }
                      return false;
                    })
                .exempt(MethodSelector.of("example.Greeter/*"))
                .requireTransportSecurity(requireTls)
                .allowPlaintextLoopback(false)
                .build())
        .build();
  }

  private static Status.Code unary(ManagedChannel channel, @Nullable CallCredentials credentials) {
    SimpleServiceGrpc.SimpleServiceBlockingStub stub =
        SimpleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    if (credentials != null) {
      stub = stub.withCallCredentials(credentials);
    }
    try {
      stub.unaryRpc(SimpleRequest.newBuilder().setRequestMessage("throw").build());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  @Test
  void theLibraryNeverProducesApplicationCodesAndDeniesOnlyIdentifiedCallers() throws Exception {
    List<Status.Code> produced = new ArrayList<>();
    try (ChainServer server = ChainServer.start(2, chain(false), new FaultService());
        ChainServer tlsOnly = ChainServer.start(2, chain(true), new FaultService())) {
      ManagedChannel channel = server.channel(Chains.anonymousClient());
      // Unidentified callers: never PERMISSION_DENIED, even though the authorizer denies all.
      List<Status.Code> unidentified = new ArrayList<>();
      unidentified.add(unary(channel, null));
      unidentified.add(unary(channel, TestCredentials.bearer("not-a-known-token")));
      unidentified.add(unary(channel, TestCredentials.header("authorization", "Basic abc")));
      unidentified.add(unary(channel, TestCredentials.header("authorization", "Bearer")));
      unidentified.add(unary(channel, TestCredentials.bearer(BROKEN)));
      unidentified.add(
          unary(tlsOnly.channel(Chains.anonymousClient()), TestCredentials.bearer(TOKEN)));
      assertThat(unidentified).containsOnly(Status.Code.UNAUTHENTICATED);
      produced.addAll(unidentified);
      // Client-side refusals: plaintext without allowance, a broken token source.
      produced.add(unary(channel, Auth.clientBuilder().bearerToken(TOKEN).build()));
      produced.add(
          unary(
              channel,
              Auth.clientBuilder()
                  .bearerToken(
                      () -> {
                        throw new IllegalArgumentException("source bug");
                      })
                  .allowPlaintext(true)
                  .build()));
      // The identity provider is down: UNAVAILABLE, retryable.
      Status.Code down = unary(channel, TestCredentials.bearer(DOWN));
      assertThat(down).isEqualTo(Status.Code.UNAVAILABLE);
      produced.add(down);
      // An identified caller the authorizer refuses (or whose authorizer throws).
      Status.Code denied = unary(channel, TestCredentials.bearer(TOKEN));
      assertThat(denied).isEqualTo(Status.Code.PERMISSION_DENIED);
      produced.add(denied);
      SimpleServiceGrpc.SimpleServiceStub async =
          SimpleServiceGrpc.newStub(channel).withCallCredentials(TestCredentials.bearer(TOKEN));
      produced.add(
          Rpc.start(async, Rpc.Kind.CLIENT_STREAMING, new io.grpc.Metadata(), "x", 1, 10_000)
              .get(15, TimeUnit.SECONDS)
              .status()
              .getCode());
      // A public method whose handler has a bug: the catch-all.
      try (ChainServer open =
          ChainServer.start(2, Chains.server(), ExampleServices.greeter(), new FaultService())) {
        produced.add(unary(open.channel(Chains.client(Chains.TOKEN_A)), null));
      }
    }
    assertThat(produced).doesNotContainAnyElementsOf(RESERVED_FOR_APPLICATIONS);
    assertThat(produced)
        .contains(
            Status.Code.UNAUTHENTICATED,
            Status.Code.PERMISSION_DENIED,
            Status.Code.UNAVAILABLE,
            Status.Code.INTERNAL);
  }

  /** A service with one unary method under the given service name. */
  private static BindableService lookAlike(String serviceName, String methodName) {
    MethodDescriptor<SimpleRequest, io.grpc.testing.protobuf.SimpleResponse> method =
        lookAlikeMethod(serviceName, methodName);
    ServerServiceDefinition definition =
        ServerServiceDefinition.builder(serviceName)
            .addMethod(
                method,
                ServerCalls.asyncUnaryCall(
                    (request, out) -> {
                      out.onNext(io.grpc.testing.protobuf.SimpleResponse.getDefaultInstance());
                      out.onCompleted();
                    }))
            .build();
    return () -> definition;
  }

  private static MethodDescriptor<SimpleRequest, io.grpc.testing.protobuf.SimpleResponse>
      lookAlikeMethod(String serviceName, String methodName) {
    return SimpleServiceGrpc.getUnaryRpcMethod().toBuilder()
        .setFullMethodName(MethodDescriptor.generateFullMethodName(serviceName, methodName))
        .build();
  }

  @Test
  void authExemptionsMatchExactServiceNamesOnly() throws Exception {
    List<String> lookAlikes =
        List.of(
            "example.GreeterX",
            "example.greeter",
            "Example.Greeter",
            "example.Greeter.v2",
            "xexample.Greeter",
            "grpc.health.v1.health",
            "grpc.health.v1.HealthX",
            "grpc.health.v1",
            "grpc.reflection.v1.ServerReflection");
    List<BindableService> services = new ArrayList<>();
    for (String name : lookAlikes) {
      services.add(lookAlike(name, "SayHello"));
    }
    services.add(ExampleServices.greeter());
    HealthStatusManager health = new HealthStatusManager();
    services.add(health.getHealthService());
    try (ChainServer server =
        ChainServer.start(2, Chains.server(), services.toArray(new BindableService[0]))) {
      ManagedChannel channel = server.channel(Chains.anonymousClient());
      for (String name : lookAlikes) {
        try {
          ClientCalls.blockingUnaryCall(
              channel,
              lookAlikeMethod(name, "SayHello"),
              CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
              SimpleRequest.getDefaultInstance());
          throw new AssertionError(name + " was exempt from auth");
        } catch (StatusRuntimeException e) {
          assertThat(e.getStatus().getCode()).as(name).isEqualTo(Status.Code.UNAUTHENTICATED);
        }
      }
      assertThat(
              GreeterGrpc.newBlockingStub(channel)
                  .withDeadlineAfter(10, TimeUnit.SECONDS)
                  .sayHello(HelloRequest.newBuilder().setName("guide").build())
                  .getMessage())
          .isEqualTo("Hello, guide!");
      assertThat(
              HealthGrpc.newBlockingStub(channel)
                  .withDeadlineAfter(10, TimeUnit.SECONDS)
                  .check(HealthCheckRequest.getDefaultInstance())
                  .getStatus())
          .isEqualTo(io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
    }
  }
}
