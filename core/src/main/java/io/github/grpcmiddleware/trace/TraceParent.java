package io.github.grpcmiddleware.trace;

import io.github.grpcmiddleware.internal.RandomIds;
import io.grpc.Metadata;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import org.jspecify.annotations.Nullable;

/**
 * The W3C Trace Context {@code traceparent} and {@code tracestate} headers: strict parsing and
 * formatting.
 *
 * <p>Parsing follows the W3C rules: version {@code ff} is invalid; ids and flags are lowercase hex;
 * trace-id and parent-id are not all zeros; version {@code 00} has exactly 55 characters; a higher
 * version is read by its version-00 prefix and must have a {@code -} after it when longer. A header
 * sent more than once counts only when every copy is identical.
 */
final class TraceParent {
  static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> TRACESTATE =
      Metadata.Key.of("tracestate", Metadata.ASCII_STRING_MARSHALLER);

  /** W3C: vendors should propagate at least 512 characters; we keep no more. */
  static final int MAX_TRACESTATE_LENGTH = 512;

  static final int MAX_TRACESTATE_MEMBERS = 32;

  /** Only the sampled (0x01) and random (0x02) flags are defined; others must be zero. */
  private static final int KNOWN_FLAGS = 0x03;

  private static final int VERSION_00_LENGTH = 55;

  final String traceId;
  final int flags;

  private TraceParent(String traceId, int flags) {
    this.traceId = traceId;
    this.flags = flags;
  }

  /**
   * Returns the only value of {@code key}, or {@code null} when it is absent or sent several times
   * with different values.
   */
  static @Nullable String singleValue(Metadata headers, Metadata.Key<String> key) {
    Iterable<String> values = headers.getAll(key);
    if (values == null) {
      return null;
    }
    Iterator<String> it = values.iterator();
    String first = it.next();
    while (it.hasNext()) {
      if (!first.equals(it.next())) {
        return null;
      }
    }
    return first;
  }

  /** Parses a {@code traceparent} value; {@code null} when it is invalid. */
  static @Nullable TraceParent parse(String value) {
    int length = value.length();
    if (length < VERSION_00_LENGTH) {
      return null;
    }
    int version = hexByte(value, 0);
    if (version < 0 || version == 0xff) {
      return null;
    }
    if (version == 0
        ? length != VERSION_00_LENGTH
        : length > VERSION_00_LENGTH && value.charAt(VERSION_00_LENGTH) != '-') {
      return null;
    }
    if (value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-') {
      return null;
    }
    if (!isHexNotAllZeros(value, 3, 35) || !isHexNotAllZeros(value, 36, 52)) {
      return null;
    }
    int flags = hexByte(value, 53);
    if (flags < 0) {
      return null;
    }
    return new TraceParent(value.substring(3, 35), flags & KNOWN_FLAGS);
  }

  /** Returns whether {@code value} is a valid trace id: 32 lowercase hex, not all zeros. */
  static boolean isValidTraceId(String value) {
    return value.length() == 32 && isHexNotAllZeros(value, 0, 32);
  }

  /**
   * Returns the {@code tracestate} to keep: every value joined with {@code ,}, or {@code null} when
   * absent, longer than 512 characters, with more than 32 members, or holding characters outside
   * printable ASCII.
   */
  static @Nullable String traceState(Metadata headers) {
    Iterable<String> values = headers.getAll(TRACESTATE);
    if (values == null) {
      return null;
    }
    Iterator<String> it = values.iterator();
    String joined = it.next();
    if (it.hasNext()) {
      StringBuilder sb = new StringBuilder(joined);
      while (it.hasNext() && sb.length() <= MAX_TRACESTATE_LENGTH) {
        sb.append(',').append(it.next());
      }
      if (it.hasNext()) {
        return null;
      }
      joined = sb.toString();
    }
    int length = joined.length();
    if (length == 0 || length > MAX_TRACESTATE_LENGTH) {
      return null;
    }
    int members = 1;
    for (int i = 0; i < length; i++) {
      char c = joined.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return null;
      }
      if (c == ',') {
        members++;
      }
    }
    return members <= MAX_TRACESTATE_MEMBERS ? joined : null;
  }

  /**
   * Formats a version-00 {@code traceparent} whose parent id is the 16 hex digits of {@code
   * parentId}, without making a String of the parent id.
   */
  static String format(String traceId, long parentId, int flags) {
    byte[] ascii = start(traceId);
    RandomIds.writeHex(parentId, ascii, 36);
    return finish(ascii, flags);
  }

  private static byte[] start(String traceId) {
    byte[] ascii = RandomIds.scratch();
    ascii[0] = '0';
    ascii[1] = '0';
    ascii[2] = '-';
    for (int i = 0; i < 32; i++) {
      ascii[3 + i] = (byte) traceId.charAt(i);
    }
    ascii[35] = '-';
    return ascii;
  }

  private static String finish(byte[] ascii, int flags) {
    ascii[52] = '-';
    RandomIds.writeHexByte(flags, ascii, 53);
    return new String(ascii, 0, VERSION_00_LENGTH, StandardCharsets.ISO_8859_1);
  }

  static boolean isHexNotAllZeros(String value, int from, int to) {
    boolean nonZero = false;
    for (int i = from; i < to; i++) {
      char c = value.charAt(i);
      if (hexDigit(c) < 0) {
        return false;
      }
      nonZero |= c != '0';
    }
    return nonZero;
  }

  /** Returns the byte written as two lowercase hex characters at {@code offset}, else -1. */
  private static int hexByte(String value, int offset) {
    int high = hexDigit(value.charAt(offset));
    int low = hexDigit(value.charAt(offset + 1));
    return high < 0 || low < 0 ? -1 : (high << 4) | low;
  }

  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }
}
