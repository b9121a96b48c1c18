package io.github.grpcmiddleware.reliability;

import static io.github.grpcmiddleware.testing.GrpcAssertions.assertThatCall;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.grpc.Context;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * grpc-java's interop test cases, written against SimpleService with the whole chain installed on
 * both sides over Netty (RELIABILITY.md: grpc-interop-testing 1.76 is JUnit 4 and lags 1.85).
 * Requests {@code size:N} ask for N bytes back, {@code status:CODE:MESSAGE} for that status.
 */
class InteropCasesTest {
  static final Metadata.Key<String> ECHO_INITIAL = Rpc.ascii("x-grpc-test-echo-initial");
  static final Metadata.Key<byte[]> ECHO_TRAILING =
      Metadata.Key.of("x-grpc-test-echo-trailing-bin", Metadata.BINARY_BYTE_MARSHALLER);
  static final String SPECIAL = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n";

  /** Echoes the interop metadata, as the interop server does; runs in the application slot. */
  static final ServerInterceptor ECHO_METADATA =
      new ServerInterceptor() {
        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
          String initial = headers.get(ECHO_INITIAL);
          byte[] trailing = headers.get(ECHO_TRAILING);
          return next.startCall(
              new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                @Override
                public void sendHeaders(Metadata responseHeaders) {
                  if (initial != null) {
                    responseHeaders.put(ECHO_INITIAL, initial);
                  }
                  super.sendHeaders(responseHeaders);
                }

                @Override
                public void close(Status status, Metadata trailers) {
                  if (trailing != null) {
                    trailers.put(ECHO_TRAILING, trailing);
                  }
                  super.close(status, trailers);
                }
              },
              headers);
        }
      };

  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .netty()
          .executorThreads(3)
          .service(new InteropService())
          .interceptor(Chains.server(ECHO_METADATA))
          .build();

  static final class InteropService extends SimpleServiceGrpc.SimpleServiceImplBase {
    private static boolean answer(SimpleRequest request, StreamObserver<SimpleResponse> out) {
      String text = request.getRequestMessage();
      if (text.startsWith("status:")) {
        int colon = text.indexOf(':', 7);
        out.onError(
            Status.fromCodeValue(Integer.parseInt(text.substring(7, colon)))
                .withDescription(text.substring(colon + 1))
                .asRuntimeException());
        return false;
      }
      int size = 0;
      if (text.startsWith("size:")) {
        int end = text.indexOf(':', 5);
        size = Integer.parseInt(end < 0 ? text.substring(5) : text.substring(5, end));
      }
      out.onNext(SimpleResponse.newBuilder().setResponseMessage("r".repeat(size)).build());
      return true;
    }

    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
      if (answer(request, out)) {
        out.onCompleted();
      }
    }

    @Override
    public StreamObserver<SimpleRequest> clientStreamingRpc(StreamObserver<SimpleResponse> out) {
      return bidiStreamingRpc(out);
    }

    @Override
    public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> out) {
      return new StreamObserver<>() {
        private boolean open = true;

        @Override
        public void onNext(SimpleRequest request) {
          open = open && answer(request, out);
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          if (open) {
            out.onCompleted();
          }
        }
      };
    }
  }

  private static SimpleServiceGrpc.SimpleServiceStub async() {
    return SimpleServiceGrpc.newStub(grpc.channel(Chains.client(Chains.TOKEN_A)))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static SimpleServiceGrpc.SimpleServiceBlockingStub blocking() {
    return SimpleServiceGrpc.newBlockingStub(grpc.channel(Chains.client(Chains.TOKEN_A)))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static SimpleRequest req(String text) {
    return SimpleRequest.newBuilder().setRequestMessage(text).build();
  }

  /** Collects responses and the status of an asynchronous call. */
  static final class Collector implements StreamObserver<SimpleResponse> {
    final List<String> responses = new CopyOnWriteArrayList<>();
    final CompletableFuture<Status> status = new CompletableFuture<>();
    final CompletableFuture<Void> first = new CompletableFuture<>();

    @Override
    public void onNext(SimpleResponse value) {
      responses.add(value.getResponseMessage());
      first.complete(null);
    }

    @Override
    public void onError(Throwable t) {
      status.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      status.complete(Status.OK);
    }

    Status.Code code() throws Exception {
      return status.get(10, TimeUnit.SECONDS).getCode();
    }
  }

  @Test
  void customMetadata() throws Exception {
    Metadata headers = new Metadata();
    headers.put(ECHO_INITIAL, "test_initial_metadata_value");
    headers.put(ECHO_TRAILING, new byte[] {(byte) 0xab, (byte) 0xab, (byte) 0xab});
    AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    SimpleServiceGrpc.SimpleServiceBlockingStub stub =
        blocking()
            .withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(headers),
                MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers));
    assertThat(stub.unaryRpc(req("size:314159")).getResponseMessage()).hasSize(314159);
    assertThat(responseHeaders.get().get(ECHO_INITIAL)).isEqualTo("test_initial_metadata_value");
    assertThat(trailers.get().get(ECHO_TRAILING)).containsExactly(0xab, 0xab, 0xab);

    Collector bidi = new Collector();
    StreamObserver<SimpleRequest> requests =
        async()
            .withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(headers),
                MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers))
            .bidiStreamingRpc(bidi);
    requests.onNext(req("size:314159"));
    requests.onCompleted();
    assertThat(bidi.code()).isEqualTo(Status.Code.OK);
    assertThat(responseHeaders.get().get(ECHO_INITIAL)).isEqualTo("test_initial_metadata_value");
    assertThat(trailers.get().get(ECHO_TRAILING)).containsExactly(0xab, 0xab, 0xab);
  }

  @Test
  void statusCodeAndMessage() throws Exception {
    assertThatCall(() -> blocking().unaryRpc(req("status:2:test status message")))
        .failsWith(Status.Code.UNKNOWN)
        .withDescription("test status message");
    Collector bidi = new Collector();
    StreamObserver<SimpleRequest> requests = async().bidiStreamingRpc(bidi);
    requests.onNext(req("status:2:test status message"));
    requests.onCompleted();
    Status status = bidi.status.get(10, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.UNKNOWN);
    assertThat(status.getDescription()).isEqualTo("test status message");
  }

  @Test
  void specialStatusMessage() {
    assertThatCall(() -> blocking().unaryRpc(req("status:2:" + SPECIAL)))
        .failsWith(Status.Code.UNKNOWN)
        .withDescription(SPECIAL);
  }

  @Test
  void cancelAfterBegin() throws Exception {
    Collector collector = new Collector();
    Context.CancellableContext scope = Context.current().withCancellation();
    scope.run(() -> async().clientStreamingRpc(collector));
    scope.cancel(null);
    assertThat(collector.code()).isEqualTo(Status.Code.CANCELLED);
  }

  @Test
  void cancelAfterFirstResponse() throws Exception {
    Collector collector = new Collector();
    StreamObserver<SimpleRequest> requests = async().bidiStreamingRpc(collector);
    requests.onNext(req("size:31415"));
    collector.first.get(10, TimeUnit.SECONDS);
    ((ClientCallStreamObserver<SimpleRequest>) requests).cancel("cancelled by test", null);
    assertThat(collector.code()).isEqualTo(Status.Code.CANCELLED);
    assertThat(collector.responses).hasSize(1);
  }

  @Test
  void timeoutOnSleepingServer() throws Exception {
    Collector collector = new Collector();
    StreamObserver<SimpleRequest> requests =
        SimpleServiceGrpc.newStub(grpc.channel(Chains.client(Chains.TOKEN_A)))
            .withDeadlineAfter(1, TimeUnit.MILLISECONDS)
            .bidiStreamingRpc(collector);
    try {
      requests.onNext(req("size:27182"));
    } catch (IllegalStateException alreadyClosed) {
      // The deadline may already have closed the call; the status below is what counts.
    }
    assertThat(collector.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
  }

  @Test
  void pingPong() throws Exception {
    int[] requestSizes = {31415, 9, 2653, 58979};
    int[] responseSizes = {27182, 8, 1828, 45904};
    Collector collector = new Collector();
    StreamObserver<SimpleRequest> requests = async().bidiStreamingRpc(collector);
    for (int i = 0; i < requestSizes.length; i++) {
      int before = collector.responses.size();
      requests.onNext(req("size:" + responseSizes[i] + ":" + "p".repeat(requestSizes[i])));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (collector.responses.size() == before && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      assertThat(collector.responses).hasSize(i + 1);
      assertThat(collector.responses.get(i)).hasSize(responseSizes[i]);
    }
    requests.onCompleted();
    assertThat(collector.code()).isEqualTo(Status.Code.OK);
  }

  @Test
  void emptyStream() throws Exception {
    Collector collector = new Collector();
    async().bidiStreamingRpc(collector).onCompleted();
    assertThat(collector.code()).isEqualTo(Status.Code.OK);
    assertThat(collector.responses).isEmpty();
  }

  @Test
  void unknownMethodIsUnimplementedBeforeAnyInterceptor() {
    StatusRuntimeException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class,
            () ->
                io.grpc.stub.ClientCalls.blockingUnaryCall(
                    grpc.channel(Chains.client(Chains.TOKEN_A)),
                    SimpleServiceGrpc.getUnaryRpcMethod().toBuilder()
                        .setFullMethodName("grpc.testing.SimpleService/NoSuchMethod")
                        .build(),
                    io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                    req("x")));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
  }
}
