package io.github.grpcmiddleware.limits;

import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A service steered by the request text: {@code block} waits until {@link #open()} or until its
 * Context is cancelled, {@code throw} throws, {@code deadline} answers the handler's remaining
 * deadline in ms (or {@code none}), {@code downstream} answers what a downstream call's handler
 * saw; anything else answers {@code ok}.
 */
final class ControlledService extends SimpleServiceGrpc.SimpleServiceImplBase {
  final AtomicInteger handled = new AtomicInteger();
  final AtomicInteger cancelledContexts = new AtomicInteger();
  final Semaphore blocked = new Semaphore(0);
  final CountDownLatch contextCancelled = new CountDownLatch(1);
  private final Set<CountDownLatch> waiters = ConcurrentHashMap.newKeySet();
  private volatile boolean open;
  volatile @Nullable Channel downstream;

  /** Lets every blocked handler (and every later one) answer. */
  void open() {
    open = true;
    for (CountDownLatch waiter : waiters) {
      waiter.countDown();
    }
  }

  /** Waits until {@code count} handlers are blocked. */
  void awaitBlocked(int count) throws InterruptedException {
    if (!blocked.tryAcquire(count, 10, TimeUnit.SECONDS)) {
      throw new AssertionError("handlers blocked: fewer than " + count);
    }
  }

  @Override
  public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
    handled.incrementAndGet();
    String text = request.getRequestMessage();
    switch (text) {
      case "block" -> block(responses);
      case "throw" -> throw new IllegalStateException("handler failed");
      case "deadline" -> reply(responses, remaining());
      case "downstream" ->
          reply(
              responses,
              SimpleServiceGrpc.newBlockingStub(java.util.Objects.requireNonNull(downstream))
                  .unaryRpc(SimpleRequest.newBuilder().setRequestMessage("deadline").build())
                  .getResponseMessage());
      default -> reply(responses, "ok");
    }
  }

  @Override
  public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> responses) {
    handled.incrementAndGet();
    return new StreamObserver<>() {
      @Override
      public void onNext(SimpleRequest value) {
        if (value.getRequestMessage().equals("block")) {
          blocked.release();
        }
        responses.onNext(SimpleResponse.newBuilder().setResponseMessage("echo").build());
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        responses.onCompleted();
      }
    };
  }

  static String remaining() {
    Deadline deadline = Context.current().getDeadline();
    return deadline == null ? "none" : Long.toString(deadline.timeRemaining(TimeUnit.MILLISECONDS));
  }

  private void block(StreamObserver<SimpleResponse> responses) {
    CountDownLatch wake = new CountDownLatch(1);
    waiters.add(wake);
    Context context = Context.current();
    context.addListener(c -> wake.countDown(), Runnable::run);
    blocked.release();
    try {
      if (!open) {
        wake.await(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      waiters.remove(wake);
    }
    if (context.isCancelled()) {
      cancelledContexts.incrementAndGet();
      contextCancelled.countDown();
      responses.onError(Status.CANCELLED.asRuntimeException());
      return;
    }
    reply(responses, "done");
  }

  private static void reply(StreamObserver<SimpleResponse> responses, String text) {
    responses.onNext(SimpleResponse.newBuilder().setResponseMessage(text).build());
    responses.onCompleted();
  }
}
