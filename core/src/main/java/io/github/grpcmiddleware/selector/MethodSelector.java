package io.github.grpcmiddleware.selector;

import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
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
 *       Builder#service(String)});
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

  private static final MethodSelector NONE =
      new MethodSelector(Collections.<String>emptySet(), new String[0], false);

  private final Set<String> exact;
  private final String[] prefixes;
  private final boolean all;

  private MethodSelector(Set<String> exact, String[] prefixes, boolean all) {
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
    Builder builder = builder();
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
  public static Builder builder() {
    return new Builder();
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

  /**
   * Collects the patterns of a {@link MethodSelector}.
   *
   * <p>Not thread-safe; {@link #build()} copies what it needs.
   */
  public static final class Builder {
    private final Set<String> exact = new HashSet<>();
    private final Set<String> prefixes = new LinkedHashSet<>();
    private boolean all;

    private Builder() {}

    /**
     * Adds a pattern (syntax in {@link MethodSelector}).
     *
     * @param pattern the pattern; not null
     * @return this builder
     * @throws IllegalArgumentException when the pattern is malformed
     */
    public Builder pattern(String pattern) {
      Objects.requireNonNull(pattern, "pattern");
      if (pattern.isEmpty()) {
        throw new IllegalArgumentException("pattern: \"\" (expected: a full method name)");
      }
      for (int i = 0; i < pattern.length(); i++) {
        char c = pattern.charAt(i);
        if (c <= ' ' || c >= 0x7f) {
          throw new IllegalArgumentException(
              "pattern: \"" + pattern + "\" (expected: no whitespace or control characters)");
        }
      }
      int star = pattern.indexOf('*');
      if (star >= 0) {
        if (star != pattern.length() - 1) {
          throw new IllegalArgumentException(
              "pattern: \"" + pattern + "\" (expected: '*' only at the end)");
        }
        if (star == 0) {
          all = true;
        } else {
          prefixes.add(pattern.substring(0, star));
        }
        return this;
      }
      int slash = pattern.indexOf('/');
      if (slash <= 0 || slash == pattern.length() - 1 || pattern.indexOf('/', slash + 1) >= 0) {
        throw new IllegalArgumentException(
            "pattern: \"" + pattern + "\" (expected: package.Service/Method)");
      }
      exact.add(pattern);
      return this;
    }

    /**
     * Adds every method of exactly the named service.
     *
     * @param serviceName the full service name, for example {@code grpc.health.v1.Health}; not null
     * @return this builder
     * @throws IllegalArgumentException when the name is empty or contains {@code /} or {@code *}
     */
    public Builder service(String serviceName) {
      Objects.requireNonNull(serviceName, "serviceName");
      if (serviceName.isEmpty() || serviceName.indexOf('/') >= 0 || serviceName.indexOf('*') >= 0) {
        throw new IllegalArgumentException(
            "serviceName: \"" + serviceName + "\" (expected: package.Service)");
      }
      return pattern(serviceName + "/*");
    }

    /**
     * Adds every method of the service.
     *
     * @param service the service descriptor, for example {@code HealthGrpc.getServiceDescriptor()};
     *     not null
     * @return this builder
     */
    public Builder service(ServiceDescriptor service) {
      Objects.requireNonNull(service, "service");
      return service(service.getName());
    }

    /**
     * Adds one method.
     *
     * @param method the method descriptor; not null
     * @return this builder
     */
    public Builder method(MethodDescriptor<?, ?> method) {
      Objects.requireNonNull(method, "method");
      return pattern(method.getFullMethodName());
    }

    /**
     * Adds every method another selector matches.
     *
     * @param other the selector; not null
     * @return this builder
     */
    public Builder include(MethodSelector other) {
      Objects.requireNonNull(other, "other");
      all |= other.all;
      exact.addAll(other.exact);
      prefixes.addAll(Arrays.asList(other.prefixes));
      return this;
    }

    /**
     * Builds the selector.
     *
     * @return the selector; never null
     */
    public MethodSelector build() {
      if (!all && exact.isEmpty() && prefixes.isEmpty()) {
        return NONE;
      }
      return new MethodSelector(
          Collections.unmodifiableSet(new HashSet<>(exact)), prefixes.toArray(new String[0]), all);
    }
  }
}
