package io.github.grpcmiddleware.otel;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.BaggageBuilder;
import io.opentelemetry.api.baggage.BaggageEntry;
import io.opentelemetry.context.Context;

/**
 * Drops incoming baggage entries past a count and a size budget. The size is that of the W3C {@code
 * baggage} header that carries the entries on: key, {@code =}, the percent-encoded value, {@code ;}
 * and the percent-encoded metadata when there is some, and a {@code ,} between entries, in bytes,
 * as OpenTelemetry's {@code W3CBaggagePropagator} writes them.
 */
final class BaggageLimit {
  private final int maxEntries;
  private final int maxBytes;

  BaggageLimit(int maxEntries, int maxBytes) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
  }

  Context apply(Context context) {
    Baggage baggage = Baggage.fromContextOrNull(context);
    if (baggage == null || baggage.isEmpty()) {
      return context;
    }
    long[] size = {-1}; // no comma before the first entry
    baggage.forEach((key, entry) -> size[0] += 1 + entryBytes(key, entry));
    if (baggage.size() <= maxEntries && size[0] <= maxBytes) {
      return context;
    }
    BaggageBuilder kept = Baggage.builder();
    long[] budget = {maxEntries, maxBytes + 1L}; // as if a comma came before the first entry too
    baggage.forEach(
        (key, entry) -> {
          long bytes = 1 + entryBytes(key, entry);
          if (budget[0] > 0 && bytes <= budget[1]) {
            kept.put(key, entry.getValue(), entry.getMetadata());
            budget[0]--;
            budget[1] -= bytes;
          }
        });
    return context.with(kept.build());
  }

  private static long entryBytes(String key, BaggageEntry entry) {
    long bytes = utf8Bytes(key) + 1 + encodedBytes(entry.getValue());
    String metadata = entry.getMetadata().getValue();
    if (!metadata.isEmpty()) {
      bytes += 1 + encodedBytes(metadata);
    }
    return bytes;
  }

  /**
   * The length of a value once percent-encoded: letters, digits and {@code -._~!$'()*&@:} stay as
   * they are, every other UTF-8 byte becomes {@code %XX}.
   */
  static long encodedBytes(String value) {
    long bytes = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x80) {
        bytes += isSafe(c) ? 1 : 3;
      } else if (c < 0x800) {
        bytes += 6;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        bytes += 12;
        i++;
      } else {
        bytes += 9;
      }
    }
    return bytes;
  }

  private static long utf8Bytes(String key) {
    long bytes = 0;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3; // a surrogate pair counts 3 + 3: an upper bound
    }
    return bytes;
  }

  private static boolean isSafe(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "-._~!$'()*&@:".indexOf(c) >= 0;
  }
}
