package io.github.grpcmiddleware.trace;

import io.github.grpcmiddleware.internal.HeaderKeys;
import io.github.grpcmiddleware.internal.RandomIds;
import io.github.grpcmiddleware.internal.W3CTraceContext;
import io.grpc.Metadata;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The W3C Trace Context {@code traceparent} and {@code tracestate} headers: strict parsing and
 * formatting.
 *
 * <p>Parsing follows the W3C rules: version {@code ff} is invalid; ids and flags are lowercase hex;
 * trace-id and parent-id are not all zeros; version {@code 00} has exactly 55 characters; a higher
 * version is read by its version-00 prefix and must have a {@code -} after it when longer. A header
 * sent more than once counts only when every copy is identical. The rules live in {@link
 * W3CTraceContext}, shared with the otel module.
 */
final class TraceParent {

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
    return W3CTraceContext.singleValue(headers.getAll(key));
  }

  /** Parses a {@code traceparent} value; {@code null} when it is invalid. */
  static @Nullable TraceParent parse(String value) {
    int flags = flags(value);
    return flags < 0 ? null : new TraceParent(traceId(value), flags);
  }

  /**
   * Returns the known flags of a valid {@code traceparent}, or -1 when it is invalid; with {@link
   * #traceId} the server reads the header without the object {@link #parse} makes (which escape
   * analysis does not always remove on the server's start path).
   */
  static int flags(String value) {
    int flags = W3CTraceContext.traceParentFlags(value);
    return flags < 0 ? -1 : flags & KNOWN_FLAGS;
  }

  /** Returns the trace id of a {@code traceparent} that {@link #flags} found valid. */
  static String traceId(String valid) {
    return valid.substring(3, 35);
  }

  /** Returns whether {@code value} is a valid trace id: 32 lowercase hex, not all zeros. */
  static boolean isValidTraceId(String value) {
    return value.length() == 32 && isHexNotAllZeros(value, 0, 32);
  }

  /**
   * Returns the {@code tracestate} to keep: every value combined in order into one list, or {@code
   * null} when absent, empty or invalid (then discarded whole); see {@link
   * W3CTraceContext#traceState}.
   */
  static @Nullable String traceState(Metadata headers) {
    return W3CTraceContext.traceState(headers.getAll(HeaderKeys.TRACESTATE));
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

  /** Formats a version-00 {@code traceparent} whose parent id is {@code spanId} (16 hex). */
  static String format(String traceId, String spanId, int flags) {
    byte[] ascii = start(traceId);
    for (int i = 0; i < 16; i++) {
      ascii[36 + i] = (byte) spanId.charAt(i);
    }
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
    return W3CTraceContext.isHexNotAllZeros(value, from, to);
  }
}
