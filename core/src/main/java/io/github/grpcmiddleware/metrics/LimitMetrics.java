package io.github.grpcmiddleware.metrics;

import io.github.grpcmiddleware.limits.LimitType;
import io.github.grpcmiddleware.limits.LimitsServerBuilder;
import io.github.grpcmiddleware.limits.RejectionListener;
import io.grpc.MethodDescriptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Counts rejected calls in Micrometer: counter {@value #REJECTED} with tags {@code grpc.method}
 * (the full method name from the descriptor; past {@code maxMethods} distinct names, {@code
 * other}), {@code limit} (the limit's configured name) and {@code reason} ({@link
 * LimitType#tag()}); and counter {@value #FAILED_OPEN} with tags {@code grpc.method} and {@code
 * limit}, the calls an asynchronous limit let through because its store failed or was late. Every
 * tag value comes from the server's configuration or its method table, never from what a caller
 * sends, so the number of series stays bounded.
 *
 * <p>micrometer-core is an optional dependency: only this package touches it.
 *
 * <p>This class is thread-safe.
 */
public final class LimitMetrics {

  /** The counter's name. */
  public static final String REJECTED = "grpc.server.limit.rejected";

  /** The name of the counter of calls let through undecided (a store outage, fail open). */
  public static final String FAILED_OPEN = "grpc.server.limit.failed.open";

  private LimitMetrics() {}

  /**
   * Returns a listener that counts rejections and calls let through by a failed store, for {@link
   * LimitsServerBuilder#rejectionListener(RejectionListener)}; at most 1000 method tags.
   *
   * @param registry where the counter is registered; not null
   * @return the listener; never null
   */
  public static RejectionListener rejectionCounter(MeterRegistry registry) {
    return rejectionCounter(registry, 1000);
  }

  /**
   * Returns a listener that counts rejections with at most {@code maxMethods} method tags.
   *
   * @param registry where the counter is registered; not null
   * @param maxMethods at least 1
   * @return the listener; never null
   */
  public static RejectionListener rejectionCounter(MeterRegistry registry, int maxMethods) {
    if (registry == null) {
      throw new NullPointerException("registry");
    }
    if (maxMethods < 1) {
      throw new IllegalArgumentException("maxMethods: " + maxMethods + " (expected: >= 1)");
    }
    return new Counting(registry, maxMethods);
  }

  private static final class Counting implements RejectionListener {
    private final MeterRegistry registry;
    private final int maxMethods;
    private final ConcurrentMap<String, Boolean> methods = new ConcurrentHashMap<>();

    Counting(MeterRegistry registry, int maxMethods) {
      this.registry = registry;
      this.maxMethods = maxMethods;
    }

    @Override
    public void rejected(MethodDescriptor<?, ?> method, String limitName, LimitType type) {
      Counter.builder(REJECTED)
          .description("Calls rejected by a limit before the service saw them")
          .tag("grpc.method", methodTag(method))
          .tag("limit", limitName)
          .tag("reason", type.tag())
          .register(registry)
          .increment();
    }

    @Override
    public void failedOpen(MethodDescriptor<?, ?> method, String limitName) {
      Counter.builder(FAILED_OPEN)
          .description("Calls let through undecided because a limit's store failed or was late")
          .tag("grpc.method", methodTag(method))
          .tag("limit", limitName)
          .register(registry)
          .increment();
    }

    private String methodTag(MethodDescriptor<?, ?> method) {
      String name = method.getFullMethodName();
      if (!methods.containsKey(name)) {
        if (methods.size() >= maxMethods) {
          return "other";
        }
        methods.putIfAbsent(name, Boolean.TRUE);
      }
      return name;
    }
  }
}
