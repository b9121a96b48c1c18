package io.github.grpcmiddleware.selector;

import io.grpc.MethodDescriptor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A set of gRPC methods, chosen by full method name, used to say which calls an interceptor applies
 * to (auth exemptions, access-log exclusions).
 *
 * <p>Patterns are matched against {@link MethodDescriptor#getFullMethodName()}, which has the form
 * {@code package.Service/Method}. The syntax:
 *
 * <ul>
 *   <li>{@code example.UserService/GetUser}: exactly that method;
 *   <li>{@code example.UserService/*}: every method of exactly that service (same as {@link
 *       MethodSelectorBuilder#service(String)});
 *   <li>{@code example.UserService/Get*} or {@code example.admin.*}: every full name that starts
 *       with the text before the {@code *} (a plain prefix, no other wildcard);
 *   <li>{@code *}: every method.
 * </ul>
 *
 * <p>Matching is case-sensitive and exact: {@code grpc.health.v1.Health/*} matches neither {@code
 * grpc.health.v1.HealthX/Check} nor {@code Grpc.Health.V1.Health/Check}. A {@code *} anywhere but
 * at the end, whitespace, and names that are not {@code service/method} are rejected when the
 * selector is built. Patterns are precomputed: a match is a hash lookup plus one {@code startsWith}
 * per prefix pattern, with no regular expression and no allocation.
 *
 * <p>This class is immutable and thread-safe.
 */
public final class MethodSelector {

  static final MethodSelector NONE =
      new MethodSelector(Collections.<String>emptySet(), new String[0], false);

  final Set<String> exact;
  final String[] prefixes;
  final boolean all;

  MethodSelector(Set<String> exact, String[] prefixes, boolean all) {
    this.exact = exact;
    this.prefixes = prefixes;
    this.all = all;
  }

  /**
   * Returns a selector that matches no method.
   *
   * @return the empty selector; never null
   */
  public static MethodSelector none() {
    return NONE;
  }

  /**
   * Returns a selector for the given patterns (syntax in the class description).
   *
   * @param patterns the patterns; not null, no null element
   * @return the selector; never null
   * @throws IllegalArgumentException when a pattern is malformed
   */
  public static MethodSelector of(String... patterns) {
    Objects.requireNonNull(patterns, "patterns");
    MethodSelectorBuilder builder = builder();
    for (String pattern : patterns) {
      builder.pattern(pattern);
    }
    return builder.build();
  }

  /**
   * Returns a new builder.
   *
   * @return a builder that selects nothing yet; never null
   */
  public static MethodSelectorBuilder builder() {
    return new MethodSelectorBuilder();
  }

  /**
   * Tells whether the method is selected.
   *
   * @param method the method; not null
   * @return {@code true} when a pattern matches its full name
   */
  public boolean matches(MethodDescriptor<?, ?> method) {
    Objects.requireNonNull(method, "method");
    return matches(method.getFullMethodName());
  }

  /**
   * Tells whether the full method name ({@code package.Service/Method}) is selected.
   *
   * @param fullMethodName the full name; not null
   * @return {@code true} when a pattern matches it
   */
  public boolean matches(String fullMethodName) {
    Objects.requireNonNull(fullMethodName, "fullMethodName");
    if (all || exact.contains(fullMethodName)) {
      return true;
    }
    for (String prefix : prefixes) {
      if (fullMethodName.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns a selector that matches what this one or {@code other} matches.
   *
   * @param other another selector; not null
   * @return the union; never null
   */
  public MethodSelector or(MethodSelector other) {
    Objects.requireNonNull(other, "other");
    return builder().include(this).include(other).build();
  }

  @Override
  public String toString() {
    if (all) {
      return "MethodSelector[*]";
    }
    List<String> parts = new ArrayList<>(exact);
    Collections.sort(parts);
    for (String prefix : prefixes) {
      parts.add(prefix + "*");
    }
    return "MethodSelector" + parts;
  }
}
