package io.github.grpcmiddleware.limits;

import io.github.grpcmiddleware.selector.MethodSelector;

/**
 * The longest deadline the selected methods grant (server), or the default they get (client).
 * Immutable.
 */
final class DeadlineCap {
  final MethodSelector methods;
  final long nanos;

  DeadlineCap(MethodSelector methods, long nanos) {
    this.methods = methods;
    this.nanos = nanos;
  }
}
