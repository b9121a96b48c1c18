package io.github.grpcmiddleware.i18n;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Parses an {@code accept-language} value (RFC 9110 section 12.5.4, ranges of RFC 4647) into
 * language ranges ordered by weight, then by position. Package-private; the benchmarks module
 * reaches it from a class in this same package.
 *
 * <p>Work is bounded before parsing: only the first {@link #MAX_LENGTH} characters are read (cut
 * back to the last comma so no range is truncated into a different valid one), and at most {@link
 * #MAX_RANGES} list elements are examined. A malformed element (bad range syntax, a {@code q} that
 * is not 0 to 1 with at most three decimals, any parameter other than {@code q}) is skipped; the
 * others are kept. Underscores are accepted in place of hyphens ({@code en_US}, as sent by clients
 * that use {@code Locale.toString()}). Never throws.
 *
 * <p>This class is thread-safe.
 */
final class AcceptLanguage {

  /** Characters of a header value read at most; the rest is ignored. */
  static final int MAX_LENGTH = 4096;

  /** List elements examined at most; the rest are ignored. */
  static final int MAX_RANGES = 32;

  private AcceptLanguage() {}

  /**
   * One language range with its weight.
   *
   * <p>This class is immutable.
   */
  static final class Range {
    private final String tag;
    private final int weight;

    Range(String tag, int weight) {
      this.tag = tag;
      this.weight = weight;
    }

    /**
     * Returns the range in lowercase with hyphens, or {@code *}.
     *
     * @return the range; never null
     */
    String tag() {
      return tag;
    }

    /**
     * Returns the weight in thousandths: 1000 for {@code q=1} (or no {@code q}), 0 for "never".
     *
     * @return 0 to 1000
     */
    int weight() {
      return weight;
    }

    @Override
    public String toString() {
      return tag + ";q=" + weight / 1000.0;
    }
  }

  /**
   * Parses a header value.
   *
   * @param header the value; null means no header
   * @return the well-formed ranges, highest weight first and in header order among equal weights,
   *     including those with weight 0; never null, possibly empty
   */
  static List<Range> parse(@Nullable String header) {
    if (header == null || header.isEmpty()) {
      return Collections.emptyList();
    }
    int end = header.length();
    if (end > MAX_LENGTH) {
      end = header.lastIndexOf(',', MAX_LENGTH);
      if (end < 0) {
        return Collections.emptyList();
      }
    }
    List<Range> ranges = new ArrayList<>(4);
    int elements = 0;
    int start = 0;
    while (start <= end) {
      int comma = header.indexOf(',', start);
      if (comma < 0 || comma > end) {
        comma = end;
      }
      int s = skipSpace(header, start, comma);
      if (s < comma) {
        if (++elements > MAX_RANGES) {
          break;
        }
        Range range = parseElement(header, s, trimEnd(header, s, comma));
        if (range != null) {
          ranges.add(range);
        }
      }
      start = comma + 1;
    }
    if (ranges.size() > 1) {
      // Stable, so equal weights keep header order.
      Collections.sort(ranges, (a, b) -> Integer.compare(b.weight, a.weight));
    }
    return ranges;
  }

  private static @Nullable Range parseElement(String h, int start, int end) {
    int rangeEnd = start;
    while (rangeEnd < end && h.charAt(rangeEnd) != ';') {
      rangeEnd++;
    }
    String tag = parseTag(h, start, trimEnd(h, start, rangeEnd));
    if (tag == null) {
      return null;
    }
    if (rangeEnd == end) {
      return new Range(tag, 1000);
    }
    int i = skipSpace(h, rangeEnd + 1, end);
    if (end - i < 3 || (h.charAt(i) != 'q' && h.charAt(i) != 'Q') || h.charAt(i + 1) != '=') {
      return null;
    }
    int weight = parseQ(h, i + 2, end);
    return weight < 0 ? null : new Range(tag, weight);
  }

  /** Returns the weight in thousandths, or -1 when malformed; {@code end} is already trimmed. */
  private static int parseQ(String h, int start, int end) {
    char first = h.charAt(start);
    if (first != '0' && first != '1') {
      return -1;
    }
    int whole = first - '0';
    if (start + 1 == end) {
      return whole * 1000;
    }
    if (h.charAt(start + 1) != '.' || end - (start + 2) > 3) {
      return -1;
    }
    int millis = 0;
    int scale = 100;
    for (int i = start + 2; i < end; i++) {
      char c = h.charAt(i);
      if (c < '0' || c > '9' || (whole == 1 && c != '0')) {
        return -1;
      }
      millis += (c - '0') * scale;
      scale /= 10;
    }
    return whole * 1000 + millis;
  }

  /** Returns the lowercase, hyphenated range, or null when it is not a language range. */
  private static @Nullable String parseTag(String h, int start, int end) {
    if (end - start == 1 && h.charAt(start) == '*') {
      return "*";
    }
    boolean clean = true;
    int subtagLength = 0;
    boolean firstSubtag = true;
    for (int i = start; i < end; i++) {
      char c = h.charAt(i);
      if (c == '-' || c == '_') {
        if (subtagLength == 0) {
          return null;
        }
        clean &= c == '-';
        firstSubtag = false;
        subtagLength = 0;
        continue;
      }
      boolean lower = c >= 'a' && c <= 'z';
      boolean upper = c >= 'A' && c <= 'Z';
      boolean digit = c >= '0' && c <= '9';
      if (!(lower || upper || (digit && !firstSubtag)) || ++subtagLength > 8) {
        return null;
      }
      clean &= !upper;
    }
    if (subtagLength == 0) {
      return null;
    }
    if (clean) {
      return h.substring(start, end);
    }
    char[] chars = new char[end - start];
    for (int i = start; i < end; i++) {
      char c = h.charAt(i);
      chars[i - start] = c == '_' ? '-' : (c >= 'A' && c <= 'Z') ? (char) (c + 32) : c;
    }
    return new String(chars);
  }

  private static int skipSpace(String h, int start, int end) {
    while (start < end && isSpace(h.charAt(start))) {
      start++;
    }
    return start;
  }

  private static int trimEnd(String h, int start, int end) {
    while (end > start && isSpace(h.charAt(end - 1))) {
      end--;
    }
    return end;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t';
  }
}
