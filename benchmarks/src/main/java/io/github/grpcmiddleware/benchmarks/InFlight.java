package io.github.grpcmiddleware.benchmarks;

import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleResponse;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Keeps at most {@link NettyBenchmark#IN_FLIGHT} async calls in flight: take a permit with {@link
 * #acquire()} before each call and pass this as the call's response observer, which gives the
 * permit back when the call ends and keeps the first failure.
 */
final class InFlight implements StreamObserver<SimpleResponse> {
  private final Semaphore permits = new Semaphore(NettyBenchmark.IN_FLIGHT);
  private final AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();

  /** Waits for a free slot. */
  void acquire() throws InterruptedException {
    permits.acquire();
  }

  /**
   * Waits up to {@code seconds} for every call to end, then fails if one failed or some never
   * ended.
   */
  void drain(long seconds) throws InterruptedException {
    boolean drained = permits.tryAcquire(NettyBenchmark.IN_FLIGHT, seconds, TimeUnit.SECONDS);
    Throwable t = failure.get();
    if (t != null) {
      throw new IllegalStateException("a call failed", t);
    }
    if (!drained) {
      throw new IllegalStateException("calls still in flight after " + seconds + " s");
    }
    permits.release(NettyBenchmark.IN_FLIGHT);
  }

  @Override
  public void onNext(SimpleResponse value) {}

  @Override
  public void onError(Throwable t) {
    failure.compareAndSet(null, t);
    permits.release();
  }

  @Override
  public void onCompleted() {
    permits.release();
  }
}
