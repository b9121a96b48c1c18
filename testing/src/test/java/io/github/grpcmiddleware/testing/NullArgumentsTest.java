package io.github.grpcmiddleware.testing;

import io.github.grpcmiddleware.testing.nulls.PublicApiNullChecks;
import io.grpc.Metadata;
import org.junit.jupiter.api.Test;

/** Every public method of the testing module rejects a null argument, naming the parameter. */
class NullArgumentsTest {

  @Test
  void everyPublicMethodRejectsNullNamingTheParameter() {
    PublicApiNullChecks.forPackagesOf(GrpcServerExtension.class)
        // Made by the captures from a real call; the constructors are package-private.
        .instance(new CapturedClientCall("grpc.testing.SimpleService/UnaryRpc"))
        .instance(new CapturedServerCall("grpc.testing.SimpleService/UnaryRpc", new Metadata()))
        .check();
  }
}
