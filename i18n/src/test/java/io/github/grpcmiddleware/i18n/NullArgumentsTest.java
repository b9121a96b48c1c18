package io.github.grpcmiddleware.i18n;

import io.github.grpcmiddleware.testing.nulls.PublicApiNullChecks;
import org.junit.jupiter.api.Test;

/** Every public method of the i18n API rejects a null argument, naming the parameter. */
class NullArgumentsTest {

  @Test
  void everyPublicMethodRejectsNullNamingTheParameter() {
    PublicApiNullChecks.forPackagesOf(LocalizedMessages.class).check();
  }
}
