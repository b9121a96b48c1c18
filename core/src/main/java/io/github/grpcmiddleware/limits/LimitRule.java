package io.github.grpcmiddleware.limits;

import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import org.jspecify.annotations.Nullable;

/** One configured limit: its name, type, methods, key and the limiters per key. Immutable. */
final class LimitRule {
  final String name;
  final LimitType type;
  final String description;
  private final MethodSelector methods;
  private final LimitKey key;
  private final @Nullable Limiter single;
  private final @Nullable KeyedLimiters keyed;

  LimitRule(
      String name,
      LimitType type,
      String description,
      MethodSelector methods,
      LimitKey key,
      LimiterFactory factory,
      int maxKeys) {
    this.name = name;
    this.type = type;
    this.description = description;
    this.methods = methods;
    this.key = key;
    // A server-wide limit has one key: no map, no lock.
    if (key == LimitKey.global()) {
      this.single = factory.create("global");
      this.keyed = null;
    } else {
      this.single = null;
      this.keyed = new KeyedLimiters(factory, maxKeys);
    }
  }

  boolean applies(MethodDescriptor<?, ?> method) {
    return methods.matches(method);
  }

  /** The key of the call, as sent in QuotaFailure's subject. */
  String keyOf(ServerCall<?, ?> call, Metadata headers) {
    return key.keyOf(call, headers);
  }

  Permit tryAcquire(String callKey) {
    Limiter limiter = single != null ? single : keyed().forKey(callKey);
    return limiter.tryAcquire();
  }

  int keys() {
    return single != null ? 1 : keyed().size();
  }

  private KeyedLimiters keyed() {
    KeyedLimiters map = keyed;
    if (map == null) {
      throw new IllegalStateException("no keyed limiters");
    }
    return map;
  }
}
