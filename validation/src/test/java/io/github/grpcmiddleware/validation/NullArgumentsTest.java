package io.github.grpcmiddleware.validation;

import io.github.grpcmiddleware.testing.nulls.PublicApiNullChecks;
import org.junit.jupiter.api.Test;

/** Every public method of the validation API rejects a null argument, naming the parameter. */
class NullArgumentsTest {

  @Test
  void everyPublicMethodRejectsNullNamingTheParameter() {
    PublicApiNullChecks.forPackagesOf(Validation.class).check();
  }
}
