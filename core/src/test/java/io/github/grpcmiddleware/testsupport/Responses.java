package io.github.grpcmiddleware.testsupport;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * What a call of an async stub received: its responses' texts, and how it ended (the status, and
 * the exception with the trailers when it failed).
 */
public final class Responses implements StreamObserver<SimpleResponse> {
  public final List<String> texts = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Status> done = new CompletableFuture<>();
  private volatile @Nullable StatusRuntimeException failure;

  /** Sends {@code texts} as requests, in order, then half-closes. */
  public static void send(StreamObserver<SimpleRequest> requests, String... texts) {
    for (String text : texts) {
      requests.onNext(Rpcs.request(text));
    }
    requests.onCompleted();
  }

  @Override
  public void onNext(SimpleResponse value) {
    texts.add(value.getResponseMessage());
  }

  @Override
  public void onError(Throwable t) {
    failure =
        t instanceof StatusRuntimeException
            ? (StatusRuntimeException) t
            : Status.fromThrowable(t).asRuntimeException();
    done.complete(Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    done.complete(Status.OK);
  }

  /** Waits up to 10 seconds for the end of the call and returns its status. */
  public Status await() throws Exception {
    return done.get(10, TimeUnit.SECONDS);
  }

  /** The exception the call failed with (status and trailers), or null; after {@link #await}. */
  public @Nullable StatusRuntimeException failure() {
    return failure;
  }
}
