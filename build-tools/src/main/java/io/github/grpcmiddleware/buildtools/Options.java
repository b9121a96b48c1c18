package io.github.grpcmiddleware.buildtools;

import java.util.HashMap;
import java.util.Map;

/** The tools' {@code key=value} arguments. */
final class Options {
  private Options() {}

  static Map<String, String> parse(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (String arg : args) {
      int equals = arg.indexOf('=');
      if (equals < 0) {
        throw new IllegalArgumentException("argument: " + arg + " (expected: key=value)");
      }
      options.put(arg.substring(0, equals), arg.substring(equals + 1));
    }
    return options;
  }

  static String required(Map<String, String> options, String key) {
    String value = options.get(key);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(key + ": missing (expected: " + key + "=...)");
    }
    return value;
  }
}
