package io.github.grpcmiddleware.reliability;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/** Starts one asynchronous call of any kind on SimpleService and records how it ended. */
final class Rpc {
  static final Metadata.Key<String> TRACEPARENT = ascii("traceparent");
  static final Metadata.Key<String> ACCEPT_LANGUAGE = ascii("accept-language");
  static final Metadata.Key<String> X_TRACE_ID = ascii("x-trace-id");

  /** The four RPC kinds. */
  enum Kind {
    UNARY,
    SERVER_STREAMING,
    CLIENT_STREAMING,
    BIDI
  }

  /** How a call ended, as the client saw it. */
  record Outcome(
      Status status,
      List<String> responses,
      List<@Nullable String> clientMdcTraceIds,
      @Nullable Metadata headers,
      @Nullable Metadata trailers) {
    @Nullable String header(Metadata.Key<String> key) {
      Metadata h = headers;
      Metadata t = trailers;
      String value = h == null ? null : h.get(key);
      return value != null || t == null ? value : t.get(key);
    }
  }

  private Rpc() {}

  static Metadata.Key<String> ascii(String name) {
    return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
  }

  /** How many responses a successful call of this kind returns with {@code messages} requests. */
  static int expectedResponses(Kind kind, int messages) {
    return switch (kind) {
      case UNARY, CLIENT_STREAMING -> 1;
      case SERVER_STREAMING -> ProbeService.STREAMED;
      case BIDI -> messages;
    };
  }

  /**
   * Starts a call with extra request headers and a deadline; sends {@code text} once (unary and
   * server streaming) or {@code messages} times.
   */
  static CompletableFuture<Outcome> start(
      SimpleServiceGrpc.SimpleServiceStub stub,
      Kind kind,
      Metadata extraHeaders,
      String text,
      int messages,
      long deadlineMillis) {
    return start(stub, kind, extraHeaders, text, messages, deadlineMillis, new CountDownLatch(0));
  }

  /**
   * Like {@link #start(SimpleServiceGrpc.SimpleServiceStub, Kind, Metadata, String, int, long)},
   * and counts {@code received} down on each response, after recording it.
   */
  static CompletableFuture<Outcome> start(
      SimpleServiceGrpc.SimpleServiceStub stub,
      Kind kind,
      Metadata extraHeaders,
      String text,
      int messages,
      long deadlineMillis,
      CountDownLatch received) {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    SimpleServiceGrpc.SimpleServiceStub configured =
        stub.withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(extraHeaders),
                MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
            .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
    CompletableFuture<Outcome> done = new CompletableFuture<>();
    List<String> responses = new CopyOnWriteArrayList<>();
    List<@Nullable String> mdc = new CopyOnWriteArrayList<>();
    StreamObserver<SimpleResponse> observer =
        new StreamObserver<>() {
          @Override
          public void onNext(SimpleResponse value) {
            mdc.add(MDC.get("traceId"));
            responses.add(value.getResponseMessage());
            received.countDown();
          }

          @Override
          public void onError(Throwable t) {
            mdc.add(MDC.get("traceId"));
            done.complete(
                new Outcome(
                    Status.fromThrowable(t), responses, mdc, headers.get(), trailers.get()));
          }

          @Override
          public void onCompleted() {
            mdc.add(MDC.get("traceId"));
            done.complete(new Outcome(Status.OK, responses, mdc, headers.get(), trailers.get()));
          }
        };
    SimpleRequest request = SimpleRequest.newBuilder().setRequestMessage(text).build();
    switch (kind) {
      case UNARY -> configured.unaryRpc(request, observer);
      case SERVER_STREAMING -> configured.serverStreamingRpc(request, observer);
      case CLIENT_STREAMING -> send(configured.clientStreamingRpc(observer), request, messages);
      case BIDI -> send(configured.bidiStreamingRpc(observer), request, messages);
    }
    return done;
  }

  private static void send(StreamObserver<SimpleRequest> requests, SimpleRequest r, int count) {
    for (int i = 0; i < count; i++) {
      requests.onNext(r);
    }
    requests.onCompleted();
  }
}
