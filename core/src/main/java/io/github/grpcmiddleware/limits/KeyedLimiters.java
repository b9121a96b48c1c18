package io.github.grpcmiddleware.limits;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The limiters of one limit, one per key, at most {@code maxKeys} of them: the least recently used
 * is forgotten when a new key arrives, so keys a caller makes up (spoofed principals, many peers)
 * cannot grow the heap. A forgotten key starts afresh when it comes back; a call still holding a
 * permit of a forgotten limiter gives it back to that limiter, never to its successor.
 *
 * <p>One lock guards the map: its critical section is a hash lookup and a link update, shorter than
 * the call's own bookkeeping in grpc-java. The user's factory runs outside it, so a slow factory
 * delays only the first calls of its own key; when two calls bring a new key at once, both may
 * create a limiter and the first one stored is used by both.
 *
 * <p>This class is thread-safe.
 *
 * @param <L> the limiter type, {@link Limiter} or {@link AsyncLimiter}
 */
final class KeyedLimiters<L> {

  /** {@code maxKeys} of a limit with one key ({@link LimitKey#global()}): no map, no lock. */
  static final int SINGLE = 0;

  private final Function<String, L> factory;
  private final String factoryName;
  private final @Nullable L single;
  private final Map<String, L> byKey;

  /**
   * Creates the limiters of a limit with at most {@code maxKeys} keys, or, with {@link #SINGLE},
   * the one limiter of key {@code global} at once.
   */
  KeyedLimiters(Function<String, L> factory, String factoryName, int maxKeys) {
    this.factory = factory;
    this.factoryName = factoryName;
    this.single = maxKeys == SINGLE ? create("global") : null;
    this.byKey =
        new LinkedHashMap<String, L>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, L> eldest) {
            return size() > maxKeys;
          }
        };
  }

  L forKey(String key) {
    L one = single;
    if (one != null) {
      return one;
    }
    synchronized (byKey) {
      L limiter = byKey.get(key);
      if (limiter != null) {
        return limiter;
      }
    }
    L created = create(key);
    synchronized (byKey) {
      L raced = byKey.putIfAbsent(key, created);
      return raced != null ? raced : created;
    }
  }

  private L create(String key) {
    L created = factory.apply(key);
    if (created == null) {
      throw new NullPointerException(factoryName + " returned null for a key");
    }
    return created;
  }

  /** The number of keys held now. */
  int size() {
    if (single != null) {
      return 1;
    }
    synchronized (byKey) {
      return byKey.size();
    }
  }
}
