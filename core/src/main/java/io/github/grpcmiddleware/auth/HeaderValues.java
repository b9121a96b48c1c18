package io.github.grpcmiddleware.auth;

import io.grpc.Metadata;

/** Checks on header names and credential values shared by the client and server sides. */
final class HeaderValues {

  private HeaderValues() {}

  /**
   * Tells whether {@code value} from {@code start} on is a non-empty run of visible ASCII (0x21 to
   * 0x7E): no space, CR, LF, other control character or non-ASCII character.
   */
  static boolean isToken(String value, int start) {
    if (start >= value.length()) {
      return false;
    }
    for (int i = start; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  static Metadata.Key<String> asciiKey(String headerName) {
    if (headerName.endsWith(Metadata.BINARY_HEADER_SUFFIX) || headerName.startsWith(":")) {
      throw new IllegalArgumentException(
          "headerName: " + headerName + " (expected: an ASCII header name, not -bin or pseudo)");
    }
    try {
      return Metadata.Key.of(headerName, Metadata.ASCII_STRING_MARSHALLER);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "headerName: " + headerName + " (expected: a legal header name)", e);
    }
  }
}
