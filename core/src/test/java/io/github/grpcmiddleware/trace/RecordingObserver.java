package io.github.grpcmiddleware.trace;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/** Client-side observer recording the responses and the MDC trace id in every callback. */
final class RecordingObserver implements StreamObserver<SimpleResponse> {
  final List<String> messages = new CopyOnWriteArrayList<>();
  final List<String> callbackTraceIds = new CopyOnWriteArrayList<>();
  final CountDownLatch done = new CountDownLatch(1);
  volatile @Nullable Status status;

  @Override
  public void onNext(SimpleResponse value) {
    callbackTraceIds.add(String.valueOf(MDC.get("traceId")));
    messages.add(value.getResponseMessage());
  }

  @Override
  public void onError(Throwable t) {
    callbackTraceIds.add(String.valueOf(MDC.get("traceId")));
    status = Status.fromThrowable(t);
    done.countDown();
  }

  @Override
  public void onCompleted() {
    callbackTraceIds.add(String.valueOf(MDC.get("traceId")));
    status = Status.OK;
    done.countDown();
  }

  Status await() throws InterruptedException {
    if (!done.await(10, TimeUnit.SECONDS)) {
      throw new AssertionError("call did not finish");
    }
    Status result = status;
    if (result == null) {
      throw new AssertionError("no status");
    }
    return result;
  }
}
