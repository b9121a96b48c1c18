package io.github.grpcmiddleware.internal;

/**
 * This class is internal and is hence not for public use. Its APIs are unstable and can change at
 * any time.
 *
 * <p>A start decision of a pipeline that waits, with what runs once it arrives; made only for a
 * call whose decision waits.
 */
final class Waiting {
  final StartResult.Pending decision;
  final Runnable onDecided;

  Waiting(StartResult.Pending decision, Runnable onDecided) {
    this.decision = decision;
    this.onDecided = onDecided;
  }
}
