package io.github.grpcmiddleware.otel;

import io.github.grpcmiddleware.testsupport.Rpcs;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.MDC;

/**
 * All four RPC kinds; records what the handler thread sees (MDC, core's trace id, the current span
 * and baggage) per RPC kind. Request "fail" fails the call, "sleep" sleeps 500 ms first.
 */
final class RecordingService extends SimpleServiceGrpc.SimpleServiceImplBase {

  /** What the handler thread saw, keyed by "unary", "client", "server", "bidi". */
  final Map<Rpcs, Seen> seen = new ConcurrentHashMap<>();

  record Seen(
      String mdcTraceId, String mdcSpanId, String traceIds, String spanTraceId, int baggage) {}

  private void record(Rpcs kind) {
    seen.putIfAbsent(
        kind,
        new Seen(
            String.valueOf(MDC.get("traceId")),
            String.valueOf(MDC.get("spanId")),
            String.valueOf(TraceIds.current()),
            Span.current().getSpanContext().getTraceId(),
            Baggage.current().size()));
  }

  /** One permit each time a "sleep" call has answered, late or not. */
  final Semaphore sleepAnswered = new Semaphore(0);

  private void answer(SimpleRequest request, StreamObserver<SimpleResponse> out) {
    if (request.getRequestMessage().equals("sleep")) {
      try {
        TimeUnit.MILLISECONDS.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try {
        out.onNext(SimpleResponse.newBuilder().setResponseMessage("ok").build());
        out.onCompleted();
      } finally {
        sleepAnswered.release();
      }
      return;
    }
    if (request.getRequestMessage().equals("fail")) {
      out.onError(new IllegalStateException("boom"));
      return;
    }
    out.onNext(SimpleResponse.newBuilder().setResponseMessage("ok").build());
    out.onCompleted();
  }

  @Override
  public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
    record(Rpcs.UNARY);
    answer(request, out);
  }

  @Override
  public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
    record(Rpcs.SERVER_STREAMING);
    out.onNext(SimpleResponse.newBuilder().setResponseMessage("first").build());
    answer(request, out);
  }

  @Override
  public StreamObserver<SimpleRequest> clientStreamingRpc(StreamObserver<SimpleResponse> out) {
    return new StreamObserver<SimpleRequest>() {
      @Override
      public void onNext(SimpleRequest value) {
        record(Rpcs.CLIENT_STREAMING);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        answer(SimpleRequest.getDefaultInstance(), out);
      }
    };
  }

  @Override
  public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> out) {
    return new StreamObserver<SimpleRequest>() {
      @Override
      public void onNext(SimpleRequest value) {
        record(Rpcs.BIDI_STREAMING);
        out.onNext(SimpleResponse.newBuilder().setResponseMessage("echo").build());
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
