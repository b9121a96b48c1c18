package io.github.grpcmiddleware.bucket4j;

import io.github.grpcmiddleware.testing.nulls.PublicApiNullChecks;
import org.junit.jupiter.api.Test;

/** Every public method of the bucket4j module rejects a null argument, naming the parameter. */
class NullArgumentsTest {

  @Test
  void everyPublicMethodRejectsNullNamingTheParameter() {
    PublicApiNullChecks.forPackagesOf(Bucket4jLimiters.class).check();
  }
}
