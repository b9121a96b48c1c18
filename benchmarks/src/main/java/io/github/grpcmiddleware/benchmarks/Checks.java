package io.github.grpcmiddleware.benchmarks;

import io.grpc.testing.protobuf.SimpleResponse;

/** Sanity checks run outside the measured code, so a broken set-up fails instead of measuring. */
final class Checks {

  private Checks() {}

  static void echoed(SimpleResponse response) {
    if (!"hello".equals(response.getResponseMessage())) {
      throw new IllegalStateException("not echoed: " + response);
    }
  }

  static void spansExported(Stack stack) {
    if (stack.expectsSpans && stack.exportedSpans.sum() == 0) {
      throw new IllegalStateException("no span exported");
    }
  }
}
