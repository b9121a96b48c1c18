package io.github.grpcmiddleware.reliability;

import io.github.grpcmiddleware.errors.ServiceException;
import io.github.grpcmiddleware.errors.ServiceExceptionBuilder;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * SimpleService whose request text picks a fault: {@code throw} (unchecked exception with secrets
 * in its message), {@code sre} (StatusRuntimeException with trailers), {@code huge} (a
 * ServiceException whose localized message and details are far over the trailer budget), {@code
 * overflow} (a real StackOverflowError), {@code sleep:MS} (sleeps until cancelled or MS pass),
 * {@code stream:N} (N responses, 20 ms apart, until cancelled); anything else is echoed (or handed
 * to a {@link ProbeService}). Records how each call ended on the server: {@code cancelled:CODE}
 * from the handler's cancellation listener.
 */
final class FaultService extends SimpleServiceGrpc.SimpleServiceImplBase {
  static final String SECRET = "password=hunter2 host=db-internal-7";
  static final Metadata.Key<String> DETAIL = Rpc.ascii("x-fault-detail");
  private static final Logger logger = LoggerFactory.getLogger(FaultService.class);

  /** One entry per server-side end of a call that the handler saw, with the MDC's trace id. */
  final List<String> ends = new CopyOnWriteArrayList<>();

  final CountDownLatch started = new CountDownLatch(1);

  /** How many calls reached the handler. */
  final AtomicInteger handled = new AtomicInteger();

  private final @Nullable ProbeService probe;

  /**
   * Waits, for at most 10 s, until the handler saw {@code count} ends: its cancellation listeners
   * run on the server's threads after the call's end has passed the chain.
   */
  void awaitEnds(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (ends.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }

  FaultService() {
    this(null);
  }

  /** Answers requests that name no fault with {@code probe} (one SimpleService per server). */
  FaultService(@Nullable ProbeService probe) {
    this.probe = probe;
  }

  private void handle(SimpleRequest request, StreamObserver<SimpleResponse> out) {
    String text = request.getRequestMessage();
    ServerCallStreamObserver<SimpleResponse> call = (ServerCallStreamObserver<SimpleResponse>) out;
    Context context = Context.current();
    String traceId = MDC.get("traceId");
    call.setOnCancelHandler(
        () -> {
          Status status = Contexts.statusFromCancelled(context);
          String code = status == null ? "CANCELLED" : status.getCode().name();
          ends.add("cancelled:" + code + ":" + MDC.get("traceId"));
          logger.info("call ended early: {}", code);
        });
    handled.incrementAndGet();
    started.countDown();
    if (text.equals("throw")) {
      throw new IllegalStateException("cannot reach database: " + SECRET);
    } else if (text.equals("sre")) {
      Metadata trailers = new Metadata();
      trailers.put(DETAIL, "kept-" + traceId);
      throw Status.ABORTED.withDescription("conflict on row 7").asRuntimeException(trailers);
    } else if (text.equals("huge")) {
      ServiceExceptionBuilder huge =
          ServiceException.builder(Status.Code.RESOURCE_EXHAUSTED, "reliability.huge")
              .defaultMessage("{0}")
              .args("配额已用尽😀 ".repeat(3000))
              .errorInfo("QUOTA", "reliability.test", Map.of("detail", "d".repeat(5000)));
      for (int i = 0; i < 200; i++) {
        huge.fieldViolation("field" + i, "值无效 ".repeat(20));
      }
      throw huge.build();
    } else if (text.equals("overflow")) {
      recurse(0);
    } else if (text.startsWith("sleep:")) {
      sleepUntilCancelled(context, Long.parseLong(text.substring(6)));
      if (!context.isCancelled()) {
        out.onNext(echo(text));
        out.onCompleted();
      }
      return;
    } else if (text.startsWith("stream:")) {
      int count = Integer.parseInt(text.substring(7));
      for (int i = 0; i < count && !call.isCancelled(); i++) {
        out.onNext(echo(Integer.toString(i)));
        sleepUntilCancelled(context, 20);
      }
      if (!call.isCancelled()) {
        out.onCompleted();
      }
      return;
    }
    ProbeService delegate = probe;
    if (delegate != null) {
      delegate.unaryRpc(request, out);
      return;
    }
    out.onNext(echo(text));
    out.onCompleted();
  }

  @SuppressWarnings("InfiniteRecursion") // a real StackOverflowError is the point
  private static int recurse(int depth) {
    return recurse(depth + 1) + 1;
  }

  private static void sleepUntilCancelled(Context context, long millis) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (!context.isCancelled() && System.nanoTime() < end) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static SimpleResponse echo(String text) {
    return SimpleResponse.newBuilder().setResponseMessage(text).build();
  }

  @Override
  public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
    handle(request, out);
  }

  @Override
  public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
    handle(request, out);
  }

  @Override
  public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> out) {
    ServerCallStreamObserver<SimpleResponse> call = (ServerCallStreamObserver<SimpleResponse>) out;
    Context context = Context.current();
    call.setOnCancelHandler(
        () -> {
          Status status = Contexts.statusFromCancelled(context);
          String code = status == null ? "CANCELLED" : status.getCode().name();
          ends.add("cancelled:" + code + ":" + MDC.get("traceId"));
          logger.info("call ended early: {}", code);
        });
    return new StreamObserver<>() {
      @Override
      public void onNext(SimpleRequest request) {
        started.countDown();
        if (request.getRequestMessage().equals("throw")) {
          throw new IllegalStateException("chat state lost: " + SECRET);
        }
        out.onNext(echo(request.getRequestMessage()));
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        out.onCompleted();
      }
    };
  }
}
