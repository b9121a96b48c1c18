package io.github.grpcmiddleware.reliability;

/**
 * Bounded counts of the suite. {@code ./mvnw verify} runs each scenario at its base count; the
 * {@code soak} profile sets the system property {@code reliability.scale} (20) to multiply them.
 */
final class Scale {
  static final int FACTOR = Math.max(1, Integer.getInteger("reliability.scale", 1));

  private Scale() {}

  /** {@code base} times the scale factor. */
  static int of(int base) {
    return base * FACTOR;
  }
}
