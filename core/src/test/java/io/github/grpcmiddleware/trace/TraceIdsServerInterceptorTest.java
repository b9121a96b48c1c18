package io.github.grpcmiddleware.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testsupport.CallObserver;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

/** All four RPC kinds: handler, response path and client callbacks see the call's trace id. */
class TraceIdsServerInterceptorTest {
  static final Metadata.Key<String> X_TRACE_ID =
      Metadata.Key.of("x-trace-id", Metadata.ASCII_STRING_MARSHALLER);

  static final CallObserver outer = new CallObserver();
  static final CallObserver inner = new CallObserver();
  static final TraceTestService service = new TraceTestService();

  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(service)
          .interceptor(outer, TraceIds.serverBuilder().spanIdMdcKey("spanId").build(), inner)
          .build();

  final AtomicReference<Metadata> headers = new AtomicReference<>();
  final AtomicReference<Metadata> trailers = new AtomicReference<>();
  SimpleServiceGrpc.SimpleServiceStub stub;

  @BeforeEach
  void setUp() {
    outer.seen.clear();
    inner.seen.clear();
    ManagedChannel channel = grpc.channel(TraceIds.newClientInterceptor());
    stub =
        SimpleServiceGrpc.newStub(channel)
            .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));
  }

  @AfterEach
  void clearMdc() {
    MDC.clear();
  }

  static SimpleRequest request(String text) {
    return SimpleRequest.newBuilder().setRequestMessage(text).build();
  }

  /** Asserts one handler observation ("mdc ctx span requestId") belongs to {@code traceId}. */
  static void assertHandlerSaw(String observation, String traceId) {
    String[] parts = observation.split(" ");
    assertThat(parts).hasSize(4);
    assertThat(parts[0]).isEqualTo(traceId);
    assertThat(parts[1]).isEqualTo(traceId);
    assertThat(parts[2]).matches("[0-9a-f]{16}");
  }

  private String headerTraceId() {
    Metadata h = Objects.requireNonNull(headers.get(), "response headers");
    String id = h.get(X_TRACE_ID);
    assertThat(id).isNotNull().matches("[0-9a-f]{32}");
    return id;
  }

  private void assertResponsePathSaw(String traceId) {
    for (CallObserver observer : new CallObserver[] {outer, inner}) {
      assertThat(observer.seen)
          .contains("sendHeaders=" + traceId, "sendMessage=" + traceId, "close=" + traceId)
          .allMatch(s -> s.endsWith("=" + traceId));
    }
  }

  @Test
  void unary() throws Exception {
    RecordingObserver responses = new RecordingObserver();
    stub.unaryRpc(request("hi"), responses);

    assertThat(responses.await().isOk()).isTrue();
    String id = headerTraceId();
    assertThat(responses.messages).singleElement().satisfies(m -> assertHandlerSaw(m, id));
    assertThat(responses.callbackTraceIds).hasSize(2).containsOnly(id);
    assertResponsePathSaw(id);
    assertThat(Objects.requireNonNull(trailers.get()).get(X_TRACE_ID))
        .as("no echo in trailers after headers")
        .isNull();
  }

  @Test
  void serverStreaming() throws Exception {
    RecordingObserver responses = new RecordingObserver();
    stub.serverStreamingRpc(request("hi"), responses);

    assertThat(responses.await().isOk()).isTrue();
    String id = headerTraceId();
    assertThat(responses.messages).hasSize(3).allSatisfy(m -> assertHandlerSaw(m, id));
    assertThat(responses.callbackTraceIds).hasSize(4).containsOnly(id);
    assertResponsePathSaw(id);
  }

  @Test
  void clientStreaming() throws Exception {
    RecordingObserver responses = new RecordingObserver();
    StreamObserver<SimpleRequest> requests = stub.clientStreamingRpc(responses);
    requests.onNext(request("a"));
    requests.onNext(request("b"));
    requests.onNext(request("c"));
    requests.onCompleted();

    assertThat(responses.await().isOk()).isTrue();
    String id = headerTraceId();
    assertThat(responses.messages.get(0).split("\n"))
        .hasSize(4)
        .allSatisfy(m -> assertHandlerSaw(m, id));
    assertThat(responses.callbackTraceIds).hasSize(2).containsOnly(id);
    assertResponsePathSaw(id);
  }

  @Test
  void bidiStreaming() throws Exception {
    RecordingObserver responses = new RecordingObserver();
    StreamObserver<SimpleRequest> requests = stub.bidiStreamingRpc(responses);
    requests.onNext(request("a"));
    requests.onNext(request("b"));
    requests.onCompleted();

    assertThat(responses.await().isOk()).isTrue();
    String id = headerTraceId();
    assertThat(responses.messages).hasSize(3).allSatisfy(m -> assertHandlerSaw(m, id));
    assertThat(responses.callbackTraceIds).hasSize(4).containsOnly(id);
    assertResponsePathSaw(id);
  }

  @Test
  void errorBeforeHeadersEchoesTraceIdInTrailers() throws Exception {
    RecordingObserver unary = new RecordingObserver();
    stub.unaryRpc(request("fail"), unary);
    assertThat(unary.await().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(headers.get()).isNull();
    String id = Objects.requireNonNull(trailers.get()).get(X_TRACE_ID);
    assertThat(id).isNotNull().matches("[0-9a-f]{32}");
    assertThat(unary.callbackTraceIds).containsExactly(id);
    assertThat(outer.seen).containsExactly("close=" + id);

    RecordingObserver streaming = new RecordingObserver();
    stub.serverStreamingRpc(request("fail"), streaming);
    assertThat(streaming.await().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(Objects.requireNonNull(trailers.get()).get(X_TRACE_ID)).isNotNull().isNotEqualTo(id);
  }

  @Test
  void deadlineCancelsWithTheCallersTraceIdFromMdc() throws Exception {
    String id = "0af7651916cd43dd8448eb211c80319c";
    MDC.put("traceId", id);
    SimpleServiceGrpc.SimpleServiceBlockingStub blocking =
        SimpleServiceGrpc.newBlockingStub(grpc.channel(TraceIds.newClientInterceptor()))
            .withDeadlineAfter(300, TimeUnit.MILLISECONDS);

    assertThatThrownBy(() -> blocking.unaryRpc(request("hang")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    assertThat(MDC.get("traceId")).as("caller's MDC untouched").isEqualTo(id);
    awaitContains(service.cancelObservations, id);
  }

  @Test
  void clientCancelRunsOnCancelWithTheTraceId() throws Exception {
    AtomicReference<ClientCallStreamObserver<SimpleRequest>> call = new AtomicReference<>();
    RecordingObserver responses = new RecordingObserver();
    stub.unaryRpc(
        request("hang"),
        new ClientResponseObserver<SimpleRequest, SimpleResponse>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<SimpleRequest> requestStream) {
            call.set(requestStream);
          }

          @Override
          public void onNext(SimpleResponse value) {
            responses.onNext(value);
          }

          @Override
          public void onError(Throwable t) {
            responses.onError(t);
          }

          @Override
          public void onCompleted() {
            responses.onCompleted();
          }
        });
    String id = awaitFirst(service.hangStarted);
    Objects.requireNonNull(call.get()).cancel("test cancels", null);

    assertThat(responses.await().getCode()).isEqualTo(Status.Code.CANCELLED);
    awaitContains(service.cancelObservations, id);
  }

  static String awaitFirst(java.util.Queue<String> queue) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (queue.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    String first = queue.poll();
    assertThat(first).as("observation").isNotNull();
    return first;
  }

  static void awaitContains(java.util.Queue<String> queue, String value)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!queue.contains(value) && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(queue).contains(value);
  }
}
