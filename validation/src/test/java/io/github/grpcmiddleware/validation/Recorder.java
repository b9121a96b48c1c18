package io.github.grpcmiddleware.validation;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** Collects what a streaming call receives and waits, bounded, for its end. */
final class Recorder<T> implements StreamObserver<T> {
  final List<T> values = new CopyOnWriteArrayList<>();
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile @Nullable Throwable error;

  @Override
  public void onNext(T value) {
    values.add(value);
  }

  @Override
  public void onError(Throwable t) {
    error = t;
    done.countDown();
  }

  @Override
  public void onCompleted() {
    done.countDown();
  }

  /** Waits for the end of the call; returns its failure (null when it completed). */
  @Nullable StatusRuntimeException await() throws InterruptedException {
    if (!done.await(10, TimeUnit.SECONDS)) {
      throw new AssertionError("the call did not end within 10 s");
    }
    Throwable t = error;
    if (t == null) {
      return null;
    }
    if (t instanceof StatusRuntimeException) {
      return (StatusRuntimeException) t;
    }
    throw new AssertionError("unexpected failure", t);
  }

  StatusRuntimeException awaitFailure() throws InterruptedException {
    StatusRuntimeException failure = await();
    if (failure == null) {
      throw new AssertionError("expected the call to fail, but it completed with " + values);
    }
    return failure;
  }
}
