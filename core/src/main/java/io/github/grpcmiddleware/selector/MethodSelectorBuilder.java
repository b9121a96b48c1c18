package io.github.grpcmiddleware.selector;

import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Collects the patterns of a {@link MethodSelector}; obtained from {@link
 * MethodSelector#builder()}.
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs.
 */
public final class MethodSelectorBuilder {
  private final Set<String> exact = new HashSet<>();
  private final Set<String> prefixes = new LinkedHashSet<>();
  private boolean all;

  MethodSelectorBuilder() {}

  /**
   * Adds a pattern (syntax in {@link MethodSelector}).
   *
   * @param pattern the pattern; not null
   * @return this builder
   * @throws IllegalArgumentException when the pattern is malformed
   */
  public MethodSelectorBuilder pattern(String pattern) {
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
  public MethodSelectorBuilder service(String serviceName) {
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
  public MethodSelectorBuilder service(ServiceDescriptor service) {
    Objects.requireNonNull(service, "service");
    return service(service.getName());
  }

  /**
   * Adds one method.
   *
   * @param method the method descriptor; not null
   * @return this builder
   */
  public MethodSelectorBuilder method(MethodDescriptor<?, ?> method) {
    Objects.requireNonNull(method, "method");
    return pattern(method.getFullMethodName());
  }

  /**
   * Adds every method another selector matches.
   *
   * @param other the selector; not null
   * @return this builder
   */
  public MethodSelectorBuilder include(MethodSelector other) {
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
      return MethodSelector.NONE;
    }
    return new MethodSelector(
        Collections.unmodifiableSet(new HashSet<>(exact)), prefixes.toArray(new String[0]), all);
  }
}
