package io.github.grpcmiddleware.internal;

import java.util.Iterator;
import org.jspecify.annotations.Nullable;

/**
 * The W3C Trace Context rules for incoming {@code traceparent} and {@code tracestate} headers,
 * shared by core's trace part and the otel module so that both accept and discard the same values.
 *
 * <p>This class is internal and is hence not for public use. Its APIs are unstable and can change
 * at any time.
 *
 * <p>This class is thread-safe.
 */
public final class W3CTraceContext {
  /** The longest {@code tracestate} list kept, in characters, once combined and trimmed. */
  public static final int MAX_TRACESTATE_LENGTH = 512;

  /** The most {@code tracestate} list members kept. */
  public static final int MAX_TRACESTATE_MEMBERS = 32;

  private static final int MAX_KEY_LENGTH = 256;
  private static final int MAX_VALUE_LENGTH = 256;
  private static final int VERSION_00_LENGTH = 55;

  private W3CTraceContext() {}

  /**
   * Returns the only value of a header, or {@code null} when it is absent or sent several times
   * with different values.
   *
   * @param values every value of the header in order, or {@code null} when it is absent
   * @return the value, or {@code null}
   */
  public static @Nullable String singleValue(@Nullable Iterable<String> values) {
    if (values == null) {
      return null;
    }
    Iterator<String> it = values.iterator();
    if (!it.hasNext()) {
      return null;
    }
    String first = it.next();
    while (it.hasNext()) {
      if (!first.equals(it.next())) {
        return null;
      }
    }
    return first;
  }

  /**
   * Returns the trace flags of a valid {@code traceparent}, or -1 when it is invalid: version
   * {@code ff} or not two lowercase hex digits; trace-id (32) and parent-id (16) not lowercase hex
   * or all zeros; flags not two lowercase hex digits; missing {@code -} separators; version {@code
   * 00} not exactly 55 characters; a higher version shorter than 55 characters or longer without a
   * {@code -} after them.
   *
   * @param value the header value; not null
   * @return the flags, 0 to 255, or -1
   */
  public static int traceParentFlags(String value) {
    int length = value.length();
    if (length < VERSION_00_LENGTH) {
      return -1;
    }
    int version = hexByte(value, 0);
    if (version < 0 || version == 0xff) {
      return -1;
    }
    if (version == 0
        ? length != VERSION_00_LENGTH
        : length > VERSION_00_LENGTH && value.charAt(VERSION_00_LENGTH) != '-') {
      return -1;
    }
    if (value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-') {
      return -1;
    }
    if (!isHexNotAllZeros(value, 3, 35) || !isHexNotAllZeros(value, 36, 52)) {
      return -1;
    }
    return hexByte(value, 53);
  }

  /**
   * Combines every {@code tracestate} value (W3C: repeated headers MUST be combined, in order) and
   * returns the list to keep, or {@code null} when there is nothing to keep: absent, empty, or
   * invalid. An invalid list is discarded whole, never forwarded in part; a duplicated key is not
   * invalid (see below).
   *
   * <p>Valid means: each member {@code key=value} with key {@code [0-9a-z][_0-9a-z*&#47;@-]{0,255}}
   * and value 1 to 256 printable ASCII characters without {@code ,} and {@code =}, not ending in a
   * space, once empty members are skipped and spaces and tabs around each member trimmed. A key
   * sent again (in the same header or a later one) is dropped with its value: the first member with
   * that key is kept (W3C: one of the duplicates may be dropped). What is kept has at most 32
   * members and at most 512 characters once joined with {@code ,}.
   *
   * @param values every value of the header in order, or {@code null} when it is absent
   * @return the members joined with {@code ,}, or {@code null}
   */
  public static @Nullable String traceState(@Nullable Iterable<String> values) {
    if (values == null) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    // Start offsets and lengths of the keys kept in out, to find a key sent twice.
    int[] keyStarts = new int[MAX_TRACESTATE_MEMBERS];
    int[] keyLengths = new int[MAX_TRACESTATE_MEMBERS];
    int members = 0;
    for (String value : values) {
      int length = value.length();
      int start = 0;
      while (start <= length) {
        int comma = value.indexOf(',', start);
        int end = comma < 0 ? length : comma;
        int from = start;
        int to = end;
        while (from < to && isOws(value.charAt(from))) {
          from++;
        }
        while (to > from && isOws(value.charAt(to - 1))) {
          to--;
        }
        int keyLength = from < to ? memberKeyLength(value, from, to) : 0;
        if (keyLength < 0) {
          return null;
        }
        if (keyLength > 0 && !isKept(out, keyStarts, keyLengths, members, value, from, keyLength)) {
          if (members == MAX_TRACESTATE_MEMBERS) {
            return null;
          }
          int keyStart = out.length() == 0 ? 0 : out.length() + 1;
          if (out.length() != 0) {
            out.append(',');
          }
          out.append(value, from, to);
          if (out.length() > MAX_TRACESTATE_LENGTH) {
            return null;
          }
          keyStarts[members] = keyStart;
          keyLengths[members] = keyLength;
          members++;
        }
        start = end + 1;
      }
    }
    return members == 0 ? null : out.toString();
  }

  /**
   * Returns whether the key of the member at {@code from} is already in {@code out}: W3C lets a
   * vendor keep one of the duplicates, and this keeps the first.
   */
  private static boolean isKept(
      CharSequence out,
      int[] keyStarts,
      int[] keyLengths,
      int members,
      String value,
      int from,
      int keyLength) {
    for (int i = 0; i < members; i++) {
      if (keyLengths[i] == keyLength && regionEquals(out, keyStarts[i], value, from, keyLength)) {
        return true;
      }
    }
    return false;
  }

  /** Returns the key length of a valid member {@code key=value} in [from, to), else -1. */
  private static int memberKeyLength(String value, int from, int to) {
    int eq = value.indexOf('=', from);
    if (eq < 0 || eq >= to) {
      return -1;
    }
    int keyLength = eq - from;
    if (keyLength < 1 || keyLength > MAX_KEY_LENGTH || !isKeyStart(value.charAt(from))) {
      return -1;
    }
    for (int i = from + 1; i < eq; i++) {
      if (!isKeyChar(value.charAt(i))) {
        return -1;
      }
    }
    int valueLength = to - eq - 1;
    if (valueLength < 1 || valueLength > MAX_VALUE_LENGTH || value.charAt(to - 1) == ' ') {
      return -1;
    }
    for (int i = eq + 1; i < to; i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e || c == ',' || c == '=') {
        return -1;
      }
    }
    return keyLength;
  }

  private static boolean regionEquals(
      CharSequence kept, int keptStart, String value, int from, int length) {
    for (int i = 0; i < length; i++) {
      if (kept.charAt(keptStart + i) != value.charAt(from + i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }

  private static boolean isKeyStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  private static boolean isKeyChar(char c) {
    return isKeyStart(c) || c == '_' || c == '-' || c == '*' || c == '/' || c == '@';
  }

  /**
   * Returns whether {@code value} holds only lowercase hex digits from {@code from} to {@code to},
   * not all of them zeros.
   *
   * @param value the text; not null
   * @param from first index, inclusive
   * @param to last index, exclusive
   * @return whether the range is lowercase hex and not all zeros
   */
  public static boolean isHexNotAllZeros(String value, int from, int to) {
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
