package io.github.grpcmiddleware.chain;

import io.github.grpcmiddleware.internal.ChainPart;
import io.github.grpcmiddleware.internal.ServerPart;
import io.grpc.ServerInterceptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Collects the parts of a server chain. Each slot takes at most one interceptor, except
 * observability and application interceptors, which keep the order they were added in.
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs. Obtained from {@link
 * ServerChain#builder()}.
 */
public final class ServerChainBuilder {
  private @Nullable ServerInterceptor tracing;
  private final List<ServerInterceptor> observability = new ArrayList<>();
  private @Nullable ServerInterceptor locale;
  private @Nullable ServerInterceptor errorMapping;
  private final List<ServerInterceptor> application = new ArrayList<>();
  private @Nullable ServerInterceptor auth;
  private @Nullable ServerInterceptor limits;
  private @Nullable ServerInterceptor validation;

  ServerChainBuilder() {}

  /**
   * Sets the outermost part, which owns the trace id: core's {@code TraceIds} server interceptor,
   * or the otel module's span interceptor.
   *
   * @param tracing the part; not null
   * @return this builder
   * @throws IllegalStateException when a tracing part is already set
   */
  public ServerChainBuilder tracing(ServerInterceptor tracing) {
    this.tracing = once(this.tracing, tracing, "tracing");
    return this;
  }

  /**
   * Adds an observability part (access log, metrics); several run in the order added.
   *
   * @param observability the part; not null
   * @return this builder
   */
  public ServerChainBuilder observability(ServerInterceptor observability) {
    this.observability.add(slotted(observability, "observability"));
    return this;
  }

  /**
   * Sets the part that resolves the caller's locale (the i18n module's locale interceptor).
   *
   * @param locale the part; not null
   * @return this builder
   * @throws IllegalStateException when a locale part is already set
   */
  public ServerChainBuilder locale(ServerInterceptor locale) {
    this.locale = once(this.locale, locale, "locale");
    return this;
  }

  /**
   * Sets the error-mapping part.
   *
   * @param errorMapping the part; not null
   * @return this builder
   * @throws IllegalStateException when an error-mapping part is already set
   */
  public ServerChainBuilder errorMapping(ServerInterceptor errorMapping) {
    this.errorMapping = once(this.errorMapping, errorMapping, "errorMapping");
    return this;
  }

  /**
   * Adds one of the application's own interceptors; they run inside error mapping (so what they
   * throw is mapped) and outside auth, in the order added.
   *
   * @param application the interceptor; not null
   * @return this builder
   */
  public ServerChainBuilder application(ServerInterceptor application) {
    this.application.add(slotted(application, "application"));
    return this;
  }

  /**
   * Sets the part that authenticates the caller; only limits and validation run after it.
   *
   * @param auth the part; not null
   * @return this builder
   * @throws IllegalStateException when an auth part is already set
   */
  public ServerChainBuilder auth(ServerInterceptor auth) {
    this.auth = once(this.auth, auth, "auth");
    return this;
  }

  /**
   * Sets the limits part ({@code Limits.serverBuilder()}): it runs after auth, so an
   * unauthenticated caller spends no one's quota and a per-principal limit sees the principal, and
   * inside error mapping, which renders its rejections in the caller's language. A global limit
   * meant to shield an expensive authenticator can run before auth instead: build a second limits
   * part with that limit and add it with {@link #application(ServerInterceptor)}.
   *
   * @param limits the part; not null
   * @return this builder
   * @throws IllegalStateException when a limits part is already set
   */
  public ServerChainBuilder limits(ServerInterceptor limits) {
    this.limits = once(this.limits, limits, "limits");
    return this;
  }

  /**
   * Sets the part that checks request messages against their rules (the validation module's
   * interceptor). It runs after auth, so an unauthenticated caller learns nothing of the schema,
   * and inside error mapping, which localizes its {@code INVALID_ARGUMENT}.
   *
   * @param validation the part; not null
   * @return this builder
   * @throws IllegalStateException when a validation part is already set
   */
  public ServerChainBuilder validation(ServerInterceptor validation) {
    this.validation = once(this.validation, validation, "validation");
    return this;
  }

  /**
   * Builds the composite interceptor.
   *
   * @return the interceptor; never null (with no parts, it does nothing)
   */
  public ServerInterceptor build() {
    List<ServerInterceptor> parts = new ArrayList<>();
    addIfSet(parts, tracing);
    parts.addAll(observability);
    addIfSet(parts, locale);
    addIfSet(parts, errorMapping);
    parts.addAll(application);
    addIfSet(parts, auth);
    addIfSet(parts, limits);
    addIfSet(parts, validation);
    checkKinds(observability);
    return CompositeServerInterceptor.of(parts);
  }

  /** Two observability parts of one kind would record every call twice. */
  private static void checkKinds(List<ServerInterceptor> observability) {
    for (int i = 0; i < observability.size(); i++) {
      for (int j = 0; j < i; j++) {
        ServerInterceptor a = observability.get(i);
        ServerInterceptor b = observability.get(j);
        if (a instanceof ServerPart
            && b instanceof ServerPart
            && ((ServerPart) a).kind() == ((ServerPart) b).kind()) {
          throw new IllegalArgumentException(
              "observability: "
                  + ((ServerPart) a).describe()
                  + " added twice (expected: one of each kind; for metrics in two registries,"
                  + " give one GrpcMetrics a CompositeMeterRegistry)");
        }
      }
    }
  }

  private static void addIfSet(List<ServerInterceptor> parts, @Nullable ServerInterceptor part) {
    if (part != null) {
      parts.add(part);
    }
  }

  /**
   * Rejects null and a library part given to the wrong slot, naming the slot it belongs in. An
   * application slot takes the application's own interceptors, and a limits part (a global limit
   * that must run before auth); no other library part.
   */
  private static ServerInterceptor slotted(ServerInterceptor interceptor, String slot) {
    Objects.requireNonNull(interceptor, slot);
    if (interceptor instanceof ChainPart) {
      String belongs = ((ChainPart) interceptor).chainSlot();
      boolean allowed =
          belongs.equals(slot) || (slot.equals("application") && belongs.equals("limits"));
      if (!allowed) {
        throw new IllegalArgumentException(
            slot
                + ": "
                + interceptor.getClass().getSimpleName()
                + " is the library's "
                + belongs
                + " part (expected: ServerChain.builder()."
                + belongs
                + "(...))");
      }
    }
    return interceptor;
  }

  private static ServerInterceptor once(
      @Nullable ServerInterceptor current, ServerInterceptor next, String slot) {
    slotted(next, slot);
    if (current != null) {
      throw new IllegalStateException(slot + " already set");
    }
    return next;
  }
}
