package io.github.grpcmiddleware.auth;

import java.security.Principal;
import org.jspecify.annotations.Nullable;

/** A principal that is just a name, as returned by the static-secret authenticators. */
final class NamedPrincipal implements Principal {
  private final String name;

  NamedPrincipal(String name) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("principal name: \"\" (expected: not empty)");
    }
    this.name = name;
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof NamedPrincipal && ((NamedPrincipal) other).name.equals(name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public String toString() {
    return "Principal[" + name + "]";
  }
}
