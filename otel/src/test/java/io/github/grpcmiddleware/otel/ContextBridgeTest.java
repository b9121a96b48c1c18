package io.github.grpcmiddleware.otel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The module's tests run twice: with {@code opentelemetry-grpc-1.6} on the class path (its {@code
 * io.grpc.override.ContextStorageOverride} keeps the OpenTelemetry Context inside {@code
 * io.grpc.Context}) and without it (system property {@code grpcContextBridge=absent}), as most
 * services run. This checks that each run has the class path it claims.
 */
class ContextBridgeTest {

  @Test
  void theContextBridgeIsOnTheClassPathExactlyWhenThisRunSaysSo() {
    boolean expected = !"absent".equals(System.getProperty("grpcContextBridge"));
    assertThat(isLoadable("io.grpc.override.ContextStorageOverride"))
        .as(
            "io.grpc.override.ContextStorageOverride loadable (grpcContextBridge=%s)",
            System.getProperty("grpcContextBridge"))
        .isEqualTo(expected);
  }

  private static boolean isLoadable(String className) {
    try {
      Class.forName(className, false, ContextBridgeTest.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
