package io.github.grpcmiddleware.otel;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.BaggageBuilder;
import io.opentelemetry.context.Context;

/** Drops incoming baggage entries past a count and size budget. */
final class BaggageLimit {
  private final int maxEntries;
  private final int maxChars;

  BaggageLimit(int maxEntries, int maxChars) {
    this.maxEntries = maxEntries;
    this.maxChars = maxChars;
  }

  Context apply(Context context) {
    Baggage baggage = Baggage.fromContextOrNull(context);
    if (baggage == null || baggage.isEmpty()) {
      return context;
    }
    int[] size = new int[1];
    baggage.forEach((key, entry) -> size[0] += key.length() + entry.getValue().length());
    if (baggage.size() <= maxEntries && size[0] <= maxChars) {
      return context;
    }
    BaggageBuilder kept = Baggage.builder();
    int[] budget = {maxEntries, maxChars};
    baggage.forEach(
        (key, entry) -> {
          int chars = key.length() + entry.getValue().length();
          if (budget[0] > 0 && chars <= budget[1]) {
            kept.put(key, entry.getValue(), entry.getMetadata());
            budget[0]--;
            budget[1] -= chars;
          }
        });
    return context.with(kept.build());
  }
}
