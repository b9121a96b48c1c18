package io.github.grpcmiddleware.testing;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/** Reads the SLF4J MDC when slf4j-api is on the class path (it is an optional dependency). */
final class Slf4jMdc {
  static final boolean AVAILABLE = isAvailable();

  private Slf4jMdc() {}

  /** Returns an unmodifiable copy of the current thread's MDC; empty without SLF4J. */
  static Map<String, String> copy() {
    if (!AVAILABLE) {
      return Collections.emptyMap();
    }
    Map<String, String> map = Reader.read();
    return map == null || map.isEmpty()
        ? Collections.<String, String>emptyMap()
        : Collections.unmodifiableMap(new HashMap<>(map));
  }

  private static boolean isAvailable() {
    try {
      Class.forName("org.slf4j.MDC", false, Slf4jMdc.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Loaded only when SLF4J is present. */
  private static final class Reader {
    @SuppressWarnings("NullAway") // SLF4J is not annotated; getCopyOfContextMap may return null
    static Map<String, String> read() {
      return org.slf4j.MDC.getCopyOfContextMap();
    }
  }
}
