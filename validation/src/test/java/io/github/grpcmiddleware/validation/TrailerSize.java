package io.github.grpcmiddleware.validation;

import io.grpc.Metadata;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;

/** What an error's trailers take on the wire, counted as HTTP/2 does (name + value + 32). */
final class TrailerSize {
  private TrailerSize() {}

  static int of(Status status, Metadata trailers) {
    int size = "grpc-status".length() + 2 + 32;
    String description = status.getDescription();
    if (description != null) {
      size += "grpc-message".length() + percentEncoded(description) + 32;
    }
    for (String name : trailers.keys()) {
      if (name.equals("grpc-status") || name.equals("grpc-message")) {
        continue;
      }
      if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        for (byte[] value :
            trailers.getAll(Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER))) {
          size += name.length() + (value.length * 4 + 2) / 3 + 32;
        }
      } else {
        for (String value :
            trailers.getAll(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER))) {
          size += name.length() + value.length() + 32;
        }
      }
    }
    return size;
  }

  private static int percentEncoded(String text) {
    int size = 0;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      size += b >= ' ' && b < 0x7f && b != '%' ? 1 : 3;
    }
    return size;
  }
}
