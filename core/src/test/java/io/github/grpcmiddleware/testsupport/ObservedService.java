package io.github.grpcmiddleware.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.internal.ServerCallScope;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The service the observability tests call, and stand-ins for the inner parts of the chain. */
public final class ObservedService extends SimpleServiceGrpc.SimpleServiceImplBase {

  /** One permit each time a {@code sleep} call has tried to answer, late or not. */
  private final Semaphore answered = new Semaphore(0);

  /**
   * Waits until a {@code sleep} handler has made its (late) answer: whatever that answer would
   * record has been recorded by then.
   */
  public void awaitSleepAnswered() throws InterruptedException {
    assertThat(answered.tryAcquire(10, TimeUnit.SECONDS)).as("sleep handler answered").isTrue();
  }

  public static SimpleRequest request(String text) {
    return SimpleRequest.newBuilder().setRequestMessage(text).build();
  }

  private static SimpleResponse response(String text) {
    return SimpleResponse.newBuilder().setResponseMessage(text).build();
  }

  @Override
  public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
    switch (request.getRequestMessage()) {
      case "fail":
        out.onError(new IllegalStateException("secret internal detail"));
        return;
      case "sleep":
        try {
          TimeUnit.MILLISECONDS.sleep(1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        try {
          out.onNext(response("late"));
          out.onCompleted();
        } finally {
          answered.release();
        }
        return;
      default:
        out.onNext(response("hello " + request.getRequestMessage()));
        out.onCompleted();
    }
  }

  @Override
  public StreamObserver<SimpleRequest> clientStreamingRpc(StreamObserver<SimpleResponse> out) {
    return new StreamObserver<SimpleRequest>() {
      int count;

      @Override
      public void onNext(SimpleRequest value) {
        count++;
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        out.onNext(response("got " + count));
        out.onCompleted();
      }
    };
  }

  @Override
  public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
    out.onNext(response("one"));
    if (request.getRequestMessage().equals("hang")) {
      return; // stays open until the client cancels
    }
    out.onNext(response("two"));
    out.onNext(response("three"));
    out.onCompleted();
  }

  @Override
  public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> out) {
    return new StreamObserver<SimpleRequest>() {
      @Override
      public void onNext(SimpleRequest value) {
        out.onNext(response(value.getRequestMessage()));
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        out.onCompleted();
      }
    };
  }

  /**
   * Stands in for error mapping (inner to the access log): turns UNKNOWN closes into INTERNAL and
   * records the exception in the call's scope.
   */
  public static final class FakeErrorMapping implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      ServerCallScope info = ServerCallScope.current();
      return next.startCall(
          new ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
              if (status.getCode() == Status.Code.UNKNOWN && status.getCause() != null) {
                if (info != null) {
                  info.setMappedException(status.getCause());
                }
                super.close(Status.INTERNAL.withDescription("Internal error"), trailers);
              } else {
                super.close(status, trailers);
              }
            }
          },
          headers);
    }
  }

  /** Stands in for auth: records a principal in the call's scope. */
  public static final class FakeAuth implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      ServerCallScope info = ServerCallScope.current();
      if (info != null) {
        info.setPrincipal(() -> "alice", null);
      }
      return next.startCall(call, headers);
    }
  }

  /**
   * Goes outermost: one permit after each call's {@code onComplete}/{@code onCancel} has run
   * through every inner part, so whatever the end of a call records has been recorded.
   */
  public static final class Ends implements ServerInterceptor {
    private final Semaphore ended = new Semaphore(0);
    private final AtomicInteger open = new AtomicInteger();

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      open.incrementAndGet();
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT>(
          next.startCall(call, headers)) {
        @Override
        public void onComplete() {
          try {
            super.onComplete();
          } finally {
            open.decrementAndGet();
            ended.release();
          }
        }

        @Override
        public void onCancel() {
          try {
            super.onCancel();
          } finally {
            open.decrementAndGet();
            ended.release();
          }
        }
      };
    }

    /** Waits until {@code calls} more calls have ended on the server. */
    public void await(int calls) throws InterruptedException {
      assertThat(ended.tryAcquire(calls, 10, TimeUnit.SECONDS))
          .as("%d calls ended", calls)
          .isTrue();
    }

    /**
     * Waits until every call started so far has ended on the server: the server may end a call
     * after the client has its answer, and what it records then must not land in the next test.
     */
    public void awaitAllEnded() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (open.get() != 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(open.get()).as("calls still open on the server").isZero();
    }
  }
}
