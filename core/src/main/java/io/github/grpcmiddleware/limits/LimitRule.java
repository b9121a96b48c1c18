package io.github.grpcmiddleware.limits;

import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One configured limit: its name, type, methods, key and the limiters per key, synchronous ({@link
 * #tryAcquire}) or asynchronous ({@link #acquire}, guarded by a {@link StoreGuard}). Immutable.
 */
final class LimitRule {
  final String name;
  final LimitType type;
  final String description;
  private final MethodSelector methods;
  private final LimitKey key;
  private final @Nullable KeyedLimiters<Limiter> limiters;
  private final @Nullable KeyedLimiters<AsyncLimiter> asyncLimiters;
  private final @Nullable StoreGuard guard;

  LimitRule(
      String name,
      LimitType type,
      String description,
      MethodSelector methods,
      LimitKey key,
      LimiterFactory factory,
      int maxKeys) {
    this(
        name,
        type,
        description,
        methods,
        key,
        new KeyedLimiters<>(factory::create, "LimiterFactory", single(key, maxKeys)),
        null,
        null);
  }

  LimitRule(
      String name,
      LimitType type,
      String description,
      MethodSelector methods,
      LimitKey key,
      AsyncLimiterFactory factory,
      int maxKeys,
      StoreGuard guard) {
    this(
        name,
        type,
        description,
        methods,
        key,
        null,
        new KeyedLimiters<>(factory::create, "AsyncLimiterFactory", single(key, maxKeys)),
        guard);
  }

  private LimitRule(
      String name,
      LimitType type,
      String description,
      MethodSelector methods,
      LimitKey key,
      @Nullable KeyedLimiters<Limiter> limiters,
      @Nullable KeyedLimiters<AsyncLimiter> asyncLimiters,
      @Nullable StoreGuard guard) {
    this.name = name;
    this.type = type;
    this.description = description;
    this.methods = methods;
    this.key = key;
    this.limiters = limiters;
    this.asyncLimiters = asyncLimiters;
    this.guard = guard;
  }

  /** A server-wide limit has one key: one limiter, created at once (no map, no lock). */
  private static int single(LimitKey key, int maxKeys) {
    return key == LimitKey.global() ? KeyedLimiters.SINGLE : maxKeys;
  }

  boolean applies(MethodDescriptor<?, ?> method) {
    return methods.matches(method);
  }

  /** The key of the call, as sent in QuotaFailure's subject. */
  String keyOf(ServerCall<?, ?> call, Metadata headers) {
    return key.keyOf(call, headers);
  }

  /** Whether this limit answers through {@link #acquire} rather than {@link #tryAcquire}. */
  boolean isAsync() {
    return asyncLimiters != null;
  }

  /** Takes a permit of a synchronous limit. */
  Permit tryAcquire(String callKey) {
    KeyedLimiters<Limiter> keyed = limiters;
    if (keyed == null) {
      throw new IllegalStateException("limit \"" + name + "\" is asynchronous: use acquire");
    }
    return keyed.forKey(callKey).tryAcquire();
  }

  /**
   * Asks an asynchronous limit for a permit: the stage always completes, within the limit's
   * timeout, never exceptionally, with a granted permit (to release when the call ends), a rejected
   * one ({@code RESOURCE_EXHAUSTED}), or one for which {@link StoreGuard#isUnavailable} holds
   * ({@code UNAVAILABLE}). Throws only what the user's factory throws.
   */
  CompletableFuture<Permit> acquire(String callKey, MethodDescriptor<?, ?> method) {
    KeyedLimiters<AsyncLimiter> keyed = asyncLimiters;
    StoreGuard store = guard;
    if (keyed == null || store == null) {
      throw new IllegalStateException("limit \"" + name + "\" is synchronous: use tryAcquire");
    }
    return store.acquire(keyed.forKey(callKey), method);
  }

  /** The store guard of an asynchronous limit; for tests. */
  StoreGuard guard() {
    StoreGuard store = guard;
    if (store == null) {
      throw new IllegalStateException("limit \"" + name + "\" is synchronous");
    }
    return store;
  }

  int keys() {
    KeyedLimiters<?> keyed = limiters != null ? limiters : asyncLimiters;
    return keyed == null ? 0 : keyed.size();
  }
}
