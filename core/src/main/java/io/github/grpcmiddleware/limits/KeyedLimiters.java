package io.github.grpcmiddleware.limits;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The limiters of one limit, one per key, at most {@code maxKeys} of them: the least recently used
 * is forgotten when a new key arrives, so keys a caller makes up (spoofed principals, many peers)
 * cannot grow the heap. A forgotten key starts afresh when it comes back; a call still holding a
 * permit of a forgotten limiter gives it back to that limiter, never to its successor.
 *
 * <p>One lock guards the map: its critical section is a hash lookup and a link update, shorter than
 * the call's own bookkeeping in grpc-java.
 *
 * <p>This class is thread-safe.
 */
final class KeyedLimiters {

  private final LimiterFactory factory;
  private final Map<String, Limiter> byKey;

  KeyedLimiters(LimiterFactory factory, int maxKeys) {
    this.factory = factory;
    this.byKey =
        new LinkedHashMap<String, Limiter>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Limiter> eldest) {
            return size() > maxKeys;
          }
        };
  }

  Limiter forKey(String key) {
    synchronized (byKey) {
      Limiter limiter = byKey.get(key);
      if (limiter == null) {
        limiter = factory.create(key);
        if (limiter == null) {
          throw new NullPointerException("LimiterFactory returned null for a key");
        }
        byKey.put(key, limiter);
      }
      return limiter;
    }
  }

  /** The number of keys held now. */
  int size() {
    synchronized (byKey) {
      return byKey.size();
    }
  }
}
