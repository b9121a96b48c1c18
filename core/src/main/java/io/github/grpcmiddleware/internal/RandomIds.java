package io.github.grpcmiddleware.internal;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Random W3C ids in lowercase hex, built without formatting machinery.
 *
 * <p>This class is internal and is hence not for public use. Its APIs are unstable and can change
 * at any time.
 */
public final class RandomIds {
  private static final byte[] HEX = {
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'
  };

  /**
   * A per-thread buffer for building an id or a {@code traceparent} before it becomes a String: the
   * String copies it anyway, so a fresh array per call would be garbage at once. Never held across
   * a call out of this package.
   */
  private static final ThreadLocal<byte[]> SCRATCH =
      new ThreadLocal<byte[]>() {
        @Override
        protected byte[] initialValue() {
          return new byte[SCRATCH_LENGTH];
        }
      };

  /** Long enough for a version-00 {@code traceparent}, the longest text built here. */
  public static final int SCRATCH_LENGTH = 55;

  private RandomIds() {}

  /** Returns this thread's scratch buffer of {@link #SCRATCH_LENGTH} bytes. */
  public static byte[] scratch() {
    return SCRATCH.get();
  }

  /** Returns a random 128-bit trace id: 32 lowercase hex characters, never all zeros. */
  public static String traceId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high;
    long low;
    do {
      high = random.nextLong();
      low = random.nextLong();
    } while (high == 0 && low == 0);
    // Latin-1 bytes: a JDK 9+ String copies them as they are, where a char[] would be compressed
    // into a new array.
    byte[] ascii = scratch();
    writeHex(high, ascii, 0);
    writeHex(low, ascii, 16);
    return new String(ascii, 0, 32, StandardCharsets.ISO_8859_1);
  }

  /** Returns a random 64-bit span id: 16 lowercase hex characters, never all zeros. */
  public static String spanId() {
    byte[] ascii = scratch();
    writeHex(spanIdBits(), ascii, 0);
    return new String(ascii, 0, 16, StandardCharsets.ISO_8859_1);
  }

  /** Returns a random 64-bit span id as a number, never zero. */
  public static long spanIdBits() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long value;
    do {
      value = random.nextLong();
    } while (value == 0);
    return value;
  }

  /** Writes {@code value} as 16 lowercase hex characters at {@code offset}. */
  public static void writeHex(long value, byte[] out, int offset) {
    for (int i = 15; i >= 0; i--) {
      out[offset + i] = HEX[(int) (value & 0xF)];
      value >>>= 4;
    }
  }

  /** Writes {@code value} as 2 lowercase hex characters at {@code offset}. */
  public static void writeHexByte(int value, byte[] out, int offset) {
    out[offset] = HEX[(value >>> 4) & 0xF];
    out[offset + 1] = HEX[value & 0xF];
  }
}
