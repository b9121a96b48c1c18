package io.github.grpcmiddleware.trace;

import java.util.concurrent.ThreadLocalRandom;

/** Random W3C ids in lowercase hex, built without formatting machinery. */
final class RandomIds {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RandomIds() {}

  /** Returns a random 128-bit trace id: 32 lowercase hex characters, never all zeros. */
  static String traceId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high;
    long low;
    do {
      high = random.nextLong();
      low = random.nextLong();
    } while (high == 0 && low == 0);
    char[] chars = new char[32];
    writeHex(high, chars, 0);
    writeHex(low, chars, 16);
    return new String(chars);
  }

  /** Returns a random 64-bit span id: 16 lowercase hex characters, never all zeros. */
  static String spanId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long value;
    do {
      value = random.nextLong();
    } while (value == 0);
    char[] chars = new char[16];
    writeHex(value, chars, 0);
    return new String(chars);
  }

  /** Writes {@code value} as 16 lowercase hex characters at {@code offset}. */
  static void writeHex(long value, char[] out, int offset) {
    for (int i = 15; i >= 0; i--) {
      out[offset + i] = HEX[(int) (value & 0xF)];
      value >>>= 4;
    }
  }

  /** Writes {@code value} as 2 lowercase hex characters at {@code offset}. */
  static void writeHexByte(int value, char[] out, int offset) {
    out[offset] = HEX[(value >>> 4) & 0xF];
    out[offset + 1] = HEX[value & 0xF];
  }
}
