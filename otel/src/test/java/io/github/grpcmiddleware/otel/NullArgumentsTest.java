package io.github.grpcmiddleware.otel;

import io.github.grpcmiddleware.testing.nulls.PublicApiNullChecks;
import io.opentelemetry.api.OpenTelemetry;
import org.junit.jupiter.api.Test;

/** Every public method of the otel module rejects a null argument, naming the parameter. */
class NullArgumentsTest {

  @Test
  void everyPublicMethodRejectsNullNamingTheParameter() {
    PublicApiNullChecks.forPackagesOf(GrpcTracing.class)
        .setDefault(OpenTelemetry.class, OpenTelemetry.noop())
        .check();
  }
}
