package io.github.grpcmiddleware.testing.nulls;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.testing.nulls.fixture.Lenient;
import io.github.grpcmiddleware.testing.nulls.fixture.Strict;
import org.junit.jupiter.api.Test;

/** The check itself: it passes strict code and names each lenient or misnamed parameter. */
class PublicApiNullChecksTest {

  @Test
  void passesWhenEveryParameterIsCheckedAndNamed() {
    assertThatCode(
            () -> PublicApiNullChecks.forPackagesOf(Strict.class).excluding(Lenient.class).check())
        .doesNotThrowAnyException();
  }

  @Test
  void reportsEveryParameterThatAcceptsNullOrIsMisnamed() {
    assertThatThrownBy(() -> PublicApiNullChecks.forPackagesOf(Lenient.class).check())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("4 public API parameter(s)")
        // A builder setter that keeps the null for later.
        .hasMessageContaining("Lenient$Builder.name[String] parameter 0 'name'")
        // A static factory that checks but names the wrong thing.
        .hasMessageContaining("Lenient.of[String, Integer] parameter 1 'count'")
        .hasMessageContaining("expected: NullPointerException(\"count\")")
        // A constructor that never looks at its argument.
        .hasMessageContaining("Lenient.<init>[String] parameter 0 'label'")
        // A method on the built object, found through builder().build().
        .hasMessageContaining("Lenient.matches[String] parameter 0 'text'")
        // @Nullable parameters are not reported.
        .satisfies(
            e ->
                org.assertj.core.api.Assertions.assertThat(e.getMessage())
                    .doesNotContain("'note'"));
  }
}
