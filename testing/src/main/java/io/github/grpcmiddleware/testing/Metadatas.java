package io.github.grpcmiddleware.testing;

import io.grpc.Metadata;

/** Metadata copies: grpc-java's Metadata is mutable and not thread-safe. */
final class Metadatas {
  private Metadatas() {}

  static Metadata copy(Metadata source) {
    Metadata copy = new Metadata();
    copy.merge(source);
    return copy;
  }
}
