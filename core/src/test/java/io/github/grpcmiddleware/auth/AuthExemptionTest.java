package io.github.grpcmiddleware.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.GrpcServerExtensionBuilder;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AuthExemptionTest {
  static final String[] SERVICES = {
    "grpc.health.v1.Health",
    "grpc.health.v1.HealthX",
    "Grpc.Health.V1.Health",
    "grpc.health.v1.Health2",
    "grpc.reflection.v1.ServerReflection",
    "grpc.reflection.v1alpha.ServerReflection",
    "example.Public",
    "example.Private"
  };

  static final Authenticator AUTHENTICATOR =
      Authenticators.bearerTokens(Map.of("good-token", "alice"));

  @RegisterExtension
  static final GrpcServerExtension defaults =
      server(Auth.serverBuilder().authenticator(AUTHENTICATOR));

  @RegisterExtension
  static final GrpcServerExtension optedIn =
      server(
          Auth.serverBuilder()
              .authenticator(AUTHENTICATOR)
              .exemptReflection(true)
              .exemptHealth(false)
              .exempt(MethodSelector.of("example.Public/*")));

  @Test
  void healthIsExemptByDefaultButNoLookAlikeIs() {
    assertThat(call(defaults.channel(), "grpc.health.v1.Health")).isEqualTo("<anonymous>");
    assertThat(code(defaults.channel(), "grpc.health.v1.HealthX"))
        .isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(code(defaults.channel(), "Grpc.Health.V1.Health"))
        .isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(code(defaults.channel(), "grpc.health.v1.Health2"))
        .isEqualTo(Status.Code.UNAUTHENTICATED);
  }

  @Test
  void reflectionAndOtherServicesNeedCredentialsByDefault() {
    assertThat(code(defaults.channel(), "grpc.reflection.v1.ServerReflection"))
        .isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(code(defaults.channel(), "grpc.reflection.v1alpha.ServerReflection"))
        .isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(code(defaults.channel(), "example.Public")).isEqualTo(Status.Code.UNAUTHENTICATED);
  }

  @Test
  void optInExemptsReflectionAndChosenServicesAndHealthCanBeProtected() {
    assertThat(call(optedIn.channel(), "grpc.reflection.v1.ServerReflection"))
        .isEqualTo("<anonymous>");
    assertThat(call(optedIn.channel(), "grpc.reflection.v1alpha.ServerReflection"))
        .isEqualTo("<anonymous>");
    assertThat(call(optedIn.channel(), "example.Public")).isEqualTo("<anonymous>");
    assertThat(code(optedIn.channel(), "example.Private")).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(code(optedIn.channel(), "grpc.health.v1.Health"))
        .isEqualTo(Status.Code.UNAUTHENTICATED);
  }

  private static GrpcServerExtension server(AuthServerBuilder auth) {
    GrpcServerExtensionBuilder builder = GrpcServerExtension.builder().interceptor(auth.build());
    for (String service : SERVICES) {
      builder.service(
          ServerServiceDefinition.builder(service)
              .addMethod(
                  method(service),
                  ServerCalls.asyncUnaryCall(
                      (request, responses) -> {
                        Principal principal = Auth.principal();
                        responses.onNext(principal == null ? "<anonymous>" : principal.getName());
                        responses.onCompleted();
                      }))
              .build());
    }
    return builder.build();
  }

  private static String call(Channel channel, String service) {
    return ClientCalls.blockingUnaryCall(
        channel, method(service), CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "");
  }

  private static Status.Code code(Channel channel, String service) {
    try {
      call(channel, service);
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  private static MethodDescriptor<String, String> method(String service) {
    return MethodDescriptor.<String, String>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(service, "Check"))
        .setRequestMarshaller(StringMarshaller.INSTANCE)
        .setResponseMarshaller(StringMarshaller.INSTANCE)
        .build();
  }

  enum StringMarshaller implements MethodDescriptor.Marshaller<String> {
    INSTANCE;

    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
