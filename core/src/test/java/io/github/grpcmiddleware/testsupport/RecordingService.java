package io.github.grpcmiddleware.testsupport;

import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A SimpleService that records what reached it: how many handlers started, every request message in
 * the order it arrived, and what {@link #onStart} notes in each handler (its thread, its Context).
 * Unary echoes, client streaming answers the messages joined with commas, bidi echoes each message,
 * server streaming sends the request twice.
 */
public final class RecordingService extends SimpleServiceGrpc.SimpleServiceImplBase {
  public final AtomicInteger started = new AtomicInteger();
  public final List<String> received = new CopyOnWriteArrayList<>();

  /** Runs first in every handler, on the handler's thread. */
  public volatile Runnable onStart = () -> {};

  private void start() {
    started.incrementAndGet();
    onStart.run();
  }

  private static SimpleResponse response(String text) {
    return SimpleResponse.newBuilder().setResponseMessage(text).build();
  }

  @Override
  public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
    start();
    received.add(request.getRequestMessage());
    responses.onNext(response(request.getRequestMessage()));
    responses.onCompleted();
  }

  @Override
  public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
    start();
    received.add(request.getRequestMessage());
    responses.onNext(response(request.getRequestMessage()));
    responses.onNext(response(request.getRequestMessage()));
    responses.onCompleted();
  }

  @Override
  public StreamObserver<SimpleRequest> clientStreamingRpc(
      StreamObserver<SimpleResponse> responses) {
    start();
    List<String> mine = new CopyOnWriteArrayList<>();
    return new StreamObserver<>() {
      @Override
      public void onNext(SimpleRequest request) {
        received.add(request.getRequestMessage());
        mine.add(request.getRequestMessage());
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        responses.onNext(response(String.join(",", mine)));
        responses.onCompleted();
      }
    };
  }

  @Override
  public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> responses) {
    start();
    return new StreamObserver<>() {
      @Override
      public void onNext(SimpleRequest request) {
        received.add(request.getRequestMessage());
        responses.onNext(response(request.getRequestMessage()));
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        responses.onCompleted();
      }
    };
  }
}
