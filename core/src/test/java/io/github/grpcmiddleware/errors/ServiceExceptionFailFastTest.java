package io.github.grpcmiddleware.errors;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

/** A ServiceException that cannot be sent as written fails where it is built. */
class ServiceExceptionFailFastTest {

  @Test
  @SuppressWarnings("NullAway")
  void aNullCodeFailsAtTheCallInsteadOfBecomingInternalLater() {
    assertThatThrownBy(() -> ServiceException.builder(null, "user.notFound"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("code");
  }

  @Test
  @SuppressWarnings("NullAway")
  void aNullKeyIsNamed() {
    assertThatThrownBy(() -> ServiceException.builder(Status.Code.NOT_FOUND, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("messageKey");
  }

  @Test
  void okAndAnEmptyKeyAreRefusedWithTheExpectedValue() {
    assertThatThrownBy(() -> ServiceException.builder(Status.Code.OK, "user.notFound"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("code: OK (expected: an error code)");
    assertThatThrownBy(() -> ServiceException.builder(Status.Code.NOT_FOUND, ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("messageKey: \"\" (expected: not empty)");
  }
}
