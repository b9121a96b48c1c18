package io.github.grpcmiddleware.limits;

import io.github.grpcmiddleware.selector.MethodSelector;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A limit as {@link LimitsServerBuilder} collects it, before {@code build()} knows the clock, the
 * bound on keys, the rejection listener and the timer: its name, type, methods, key and either the
 * maker of its synchronous limiters or its asynchronous ones with their options.
 */
final class LimitDraft {

  /** Makes a limit's limiter factory once the clock is known. */
  @FunctionalInterface
  interface FactoryMaker {
    LimiterFactory create(LongSupplier ticker);
  }

  final String name;
  private final LimitType type;
  private final String description;
  private final MethodSelector methods;
  private final LimitKey key;
  private final @Nullable FactoryMaker factory;
  private final @Nullable AsyncLimiterFactory asyncFactory;
  private final @Nullable AsyncLimitOptions options;

  private LimitDraft(
      String name,
      LimitType type,
      String description,
      MethodSelector methods,
      LimitKey key,
      @Nullable FactoryMaker factory,
      @Nullable AsyncLimiterFactory asyncFactory,
      @Nullable AsyncLimitOptions options) {
    this.name = Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("name: \"\" (expected: not empty)");
    }
    this.type = type;
    this.description = name + ": " + description;
    this.methods = Objects.requireNonNull(methods, "methods");
    this.key = Objects.requireNonNull(key, "key");
    this.factory = factory;
    this.asyncFactory = asyncFactory;
    this.options = options;
  }

  /** A limit decided by synchronous limiters. */
  static LimitDraft of(
      String name,
      LimitType type,
      String description,
      MethodSelector methods,
      LimitKey key,
      FactoryMaker factory) {
    return new LimitDraft(name, type, description, methods, key, factory, null, null);
  }

  /** A limit decided by asynchronous limiters. */
  static LimitDraft async(
      String name,
      LimitType type,
      String description,
      MethodSelector methods,
      LimitKey key,
      AsyncLimiterFactory factory,
      AsyncLimitOptions options) {
    return new LimitDraft(name, type, description, methods, key, null, factory, options);
  }

  /** Builds the limit. */
  LimitRule build(
      int maxKeys,
      LongSupplier ticker,
      @Nullable RejectionListener rejections,
      ScheduledExecutorService timer) {
    AsyncLimiterFactory asking = asyncFactory;
    AsyncLimitOptions asyncOptions = options;
    if (asking != null && asyncOptions != null) {
      return new LimitRule(
          name,
          type,
          description,
          methods,
          key,
          asking,
          maxKeys,
          new StoreGuard(name, asyncOptions, rejections, timer));
    }
    FactoryMaker maker = factory;
    if (maker == null) {
      throw new IllegalStateException("limit \"" + name + "\" has no limiter");
    }
    return new LimitRule(name, type, description, methods, key, maker.create(ticker), maxKeys);
  }
}
