package io.github.grpcmiddleware.validation;

import build.buf.protovalidate.Violation;
import java.util.Collections;
import java.util.List;

/** What checking one message found: nothing, violations, or a fault of the rules themselves. */
final class CheckResult {
  static final CheckResult VALID = new CheckResult(Collections.emptyList(), false);
  static final CheckResult FAULT = new CheckResult(Collections.emptyList(), true);

  private final List<Violation> violations;
  private final boolean fault;

  private CheckResult(List<Violation> violations, boolean fault) {
    this.violations = violations;
    this.fault = fault;
  }

  static CheckResult invalid(List<Violation> violations) {
    return new CheckResult(violations, false);
  }

  boolean isValid() {
    return !fault && violations.isEmpty();
  }

  /** The rules could not be compiled or evaluated: the server's fault, not the caller's. */
  boolean isFault() {
    return fault;
  }

  List<Violation> violations() {
    return violations;
  }
}
