package io.github.grpcmiddleware.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.testing.protobuf.SimpleServiceGrpc;
import org.junit.jupiter.api.Test;

class MethodSelectorTest {

  @Test
  void exactMethodMatchesOnlyThatMethod() {
    MethodSelector selector = MethodSelector.of("grpc.testing.SimpleService/UnaryRpc");

    assertThat(selector.matches(SimpleServiceGrpc.getUnaryRpcMethod())).isTrue();
    assertThat(selector.matches(SimpleServiceGrpc.getServerStreamingRpcMethod())).isFalse();
    assertThat(selector.matches("grpc.testing.SimpleService/UnaryRpcX")).isFalse();
    assertThat(selector.matches("grpc.testing.SimpleService/unaryRpc")).isFalse();
  }

  @Test
  void serviceMatchesEveryMethodOfExactlyThatService() {
    MethodSelector selector = MethodSelector.builder().service("grpc.health.v1.Health").build();

    assertThat(selector.matches("grpc.health.v1.Health/Check")).isTrue();
    assertThat(selector.matches("grpc.health.v1.Health/Watch")).isTrue();
    assertThat(selector.matches("grpc.health.v1.HealthX/Check")).isFalse();
    assertThat(selector.matches("Grpc.Health.V1.Health/Check")).isFalse();
    assertThat(selector.matches("grpc.health.v1.Healt/Check")).isFalse();
    assertThat(selector.matches("xgrpc.health.v1.Health/Check")).isFalse();
    assertThat(selector.matches("grpc.health.v1")).isFalse();
  }

  @Test
  void serviceDescriptorAndMethodDescriptorAreAccepted() {
    MethodSelector services =
        MethodSelector.builder().service(SimpleServiceGrpc.getServiceDescriptor()).build();
    MethodSelector method =
        MethodSelector.builder().method(SimpleServiceGrpc.getBidiStreamingRpcMethod()).build();

    assertThat(services.matches(SimpleServiceGrpc.getClientStreamingRpcMethod())).isTrue();
    assertThat(method.matches(SimpleServiceGrpc.getBidiStreamingRpcMethod())).isTrue();
    assertThat(method.matches(SimpleServiceGrpc.getUnaryRpcMethod())).isFalse();
  }

  @Test
  void trailingStarIsAPlainPrefix() {
    MethodSelector selector = MethodSelector.of("example.UserService/Get*", "example.admin.*");

    assertThat(selector.matches("example.UserService/GetUser")).isTrue();
    assertThat(selector.matches("example.UserService/Get")).isTrue();
    assertThat(selector.matches("example.UserService/ListUsers")).isFalse();
    assertThat(selector.matches("example.UserService/getUser")).isFalse();
    assertThat(selector.matches("example.admin.Tools/Reset")).isTrue();
    assertThat(selector.matches("example.administration.Tools/Reset")).isFalse();
  }

  @Test
  void starAloneMatchesEverythingAndNoneMatchesNothing() {
    assertThat(MethodSelector.of("*").matches("any.Service/Method")).isTrue();
    assertThat(MethodSelector.none().matches("any.Service/Method")).isFalse();
    assertThat(MethodSelector.of().matches("any.Service/Method")).isFalse();
  }

  @Test
  void orIsTheUnion() {
    MethodSelector union = MethodSelector.of("a.B/C").or(MethodSelector.of("d.E/*"));

    assertThat(union.matches("a.B/C")).isTrue();
    assertThat(union.matches("d.E/F")).isTrue();
    assertThat(union.matches("a.B/D")).isFalse();
    assertThat(union.toString()).isEqualTo("MethodSelector[a.B/C, d.E/*]");
  }

  @Test
  void malformedPatternsAreRejectedWithTheRule() {
    assertThatThrownBy(() -> MethodSelector.of(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pattern: \"\" (expected: a full method name)");
    assertThatThrownBy(() -> MethodSelector.of("a.*/Get"))
        .hasMessage("pattern: \"a.*/Get\" (expected: '*' only at the end)");
    assertThatThrownBy(() -> MethodSelector.of("a.B"))
        .hasMessage("pattern: \"a.B\" (expected: package.Service/Method)");
    assertThatThrownBy(() -> MethodSelector.of("a.B/C/D"))
        .hasMessage("pattern: \"a.B/C/D\" (expected: package.Service/Method)");
    assertThatThrownBy(() -> MethodSelector.of("/C"))
        .hasMessage("pattern: \"/C\" (expected: package.Service/Method)");
    assertThatThrownBy(() -> MethodSelector.of("a.B/ C"))
        .hasMessage("pattern: \"a.B/ C\" (expected: no whitespace or control characters)");
    assertThatThrownBy(() -> MethodSelector.builder().service("a.B/C"))
        .hasMessage("serviceName: \"a.B/C\" (expected: package.Service)");
  }
}
