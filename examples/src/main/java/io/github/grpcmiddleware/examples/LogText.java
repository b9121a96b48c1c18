package io.github.grpcmiddleware.examples;

import org.jspecify.annotations.Nullable;

/**
 * Makes caller-supplied text safe to log: line breaks and other control characters become visible
 * escapes ({@code \n}, {@code \r}, {@code \t}, {@code \}{@code uXXXX}), so a name cannot start a
 * forged log line, and long text is cut, after escaping, so a caller cannot make one line kilobytes
 * long.
 */
final class LogText {
  /** The most characters of caller text one log value keeps. */
  static final int MAX_CHARS = 128;

  private LogText() {}

  /**
   * {@code text} with control characters and Unicode line separators escaped, cut so that the
   * escaped text stays within about {@link #MAX_CHARS} characters (an escape takes up to 6, so the
   * budget counts what is written, not what came in).
   */
  static String escape(String text) {
    @Nullable StringBuilder out = null;
    int written = 0;
    int i = 0;
    for (; i < text.length() && written < MAX_CHARS; i++) {
      char c = text.charAt(i);
      String escaped = escapeOf(c);
      if (escaped != null && out == null) {
        out = new StringBuilder(MAX_CHARS + 16).append(text, 0, i);
      }
      if (out != null) {
        if (escaped != null) {
          out.append(escaped);
        } else {
          out.append(c);
        }
      }
      written += escaped != null ? escaped.length() : 1;
    }
    String result = out != null ? out.toString() : text.substring(0, i);
    return i < text.length() ? result + "...(" + text.length() + " chars)" : result;
  }

  private static @Nullable String escapeOf(char c) {
    switch (c) {
      case '\n':
        return "\\n";
      case '\r':
        return "\\r";
      case '\t':
        return "\\t";
      case '\\':
        return "\\\\";
      default:
        if (c < 0x20 || c == 0x7f || c == 0x85 || c == '\u2028' || c == '\u2029') {
          return String.format("\\u%04x", (int) c);
        }
        return null;
    }
  }
}
