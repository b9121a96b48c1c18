package io.github.grpcmiddleware.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.internal.ThreadContexts;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code TraceIds.wrap} carries the thread-bound contexts other modules register (the otel module
 * registers OpenTelemetry's Context), as it carries io.grpc.Context.
 */
class ThreadContextsTest {
  static final ThreadLocal<String> TENANT = new ThreadLocal<>();
  static final AtomicInteger WRAPPED = new AtomicInteger();

  /** Carries {@link #TENANT} the way the otel module carries OpenTelemetry's Context. */
  enum TenantCarrier implements ThreadContexts.Carrier {
    INSTANCE;

    @Override
    public Runnable wrap(Runnable task) {
      WRAPPED.incrementAndGet();
      String captured = TENANT.get();
      return () -> {
        String previous = TENANT.get();
        TENANT.set(captured);
        try {
          task.run();
        } finally {
          TENANT.set(previous);
        }
      };
    }
  }

  @Test
  void aRegisteredContextIsCarriedOnceToTheTaskAndTheThreadsOwnComesBack() throws Exception {
    ThreadContexts.register(TenantCarrier.INSTANCE);
    ThreadContexts.register(TenantCarrier.INSTANCE);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    List<String> seen = new CopyOnWriteArrayList<>();
    try {
      pool.execute(() -> TENANT.set("the pool's own"));
      TENANT.set("acme");
      int before = WRAPPED.get();
      TraceIds.wrap(pool).execute(() -> seen.add(TENANT.get()));
      assertThat(WRAPPED.get() - before).as("wrapped once").isEqualTo(1);
      TENANT.set("other");
      pool.submit(() -> seen.add(TENANT.get())).get(5, TimeUnit.SECONDS);
    } finally {
      TENANT.remove();
      pool.shutdownNow();
    }

    assertThat(seen).containsExactly("acme", "the pool's own");
  }
}
