package io.github.grpcmiddleware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.examples.ExampleServices;
import io.github.grpcmiddleware.examples.proto.ChatMessage;
import io.github.grpcmiddleware.examples.proto.UserServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * Long bidi streams through the whole chain: manual flow control on both sides ({@code
 * disableAutoRequest}, {@code request(1)}, {@code isReady}, {@code onReady}) keeps every message in
 * order, and every server callback, {@code onReady} included, runs with the call's trace id.
 */
class FlowControlTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PAYLOAD = "x".repeat(1024);

  @Test
  void manualFlowControlBidiStreamKeepsOrderAndTheTraceIdInOnReady() throws Exception {
    int count = Scale.of(4000);
    EchoWithBackpressure service = new EchoWithBackpressure();
    try (ChainServer server = ChainServer.start(2, Chains.server(), service)) {
      ManagedChannel channel = server.channel(Chains.client(Chains.TOKEN_A));
      Metadata headers = new Metadata();
      headers.put(Rpc.TRACEPARENT, "00-" + TRACE + "-00f067aa0ba902b7-01");
      SimpleServiceGrpc.SimpleServiceStub stub =
          SimpleServiceGrpc.newStub(channel)
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
              .withDeadlineAfter(60, TimeUnit.SECONDS);
      List<String> received = new CopyOnWriteArrayList<>();
      AtomicInteger clientNotReady = new AtomicInteger();
      CompletableFuture<Status> done = new CompletableFuture<>();
      stub.bidiStreamingRpc(
          new ClientResponseObserver<SimpleRequest, SimpleResponse>() {
            private int sent;
            private @Nullable ClientCallStreamObserver<SimpleRequest> requests;

            @Override
            public void beforeStart(ClientCallStreamObserver<SimpleRequest> requestStream) {
              requests = requestStream;
              requestStream.disableAutoRequestWithInitial(1);
              requestStream.setOnReadyHandler(this::sendWhileReady);
            }

            private synchronized void sendWhileReady() {
              ClientCallStreamObserver<SimpleRequest> out = requests;
              while (out != null && sent < count) {
                if (!out.isReady()) {
                  clientNotReady.incrementAndGet();
                  return;
                }
                out.onNext(
                    SimpleRequest.newBuilder().setRequestMessage(sent++ + ":" + PAYLOAD).build());
              }
              if (out != null && sent == count) {
                sent++;
                out.onCompleted();
              }
            }

            @Override
            public void onNext(SimpleResponse value) {
              String text = value.getResponseMessage();
              received.add(text.substring(0, text.indexOf(':')));
              ClientCallStreamObserver<SimpleRequest> out = requests;
              if (out != null) {
                out.request(1);
              }
            }

            @Override
            public void onError(Throwable t) {
              done.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
              done.complete(Status.OK);
            }
          });
      assertThat(done.get(90, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
      assertThat(received).hasSize(count);
      for (int i = 0; i < count; i++) {
        assertThat(received.get(i)).isEqualTo(Integer.toString(i));
      }
      assertThat(service.onReadyTraceIds).isNotEmpty().containsOnly(TRACE);
      assertThat(service.onNextTraceIds).hasSize(count).containsOnly(TRACE);
      assertThat(server.mdcOfEveryPoolThread()).allSatisfy((t, mdc) -> assertThat(mdc).isEmpty());
    }
  }

  @Test
  void exampleChatEchoesThousandsOfMessagesInOrder() throws Exception {
    int count = Scale.of(3000);
    try (ChainServer server =
        ChainServer.start(
            3, ExampleServices.exampleChain(Chains.TOKEN_A), ExampleServices.userService())) {
      ManagedChannel channel = server.channel(Chains.client(Chains.TOKEN_A));
      List<String> echoed = new CopyOnWriteArrayList<>();
      CompletableFuture<Status> done = new CompletableFuture<>();
      StreamObserver<ChatMessage> chat =
          UserServiceGrpc.newStub(channel)
              .withDeadlineAfter(60, TimeUnit.SECONDS)
              .chat(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(ChatMessage value) {
                      echoed.add(value.getText());
                    }

                    @Override
                    public void onError(Throwable t) {
                      done.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                      done.complete(Status.OK);
                    }
                  });
      for (int i = 0; i < count; i++) {
        chat.onNext(ChatMessage.newBuilder().setText("message " + i).build());
      }
      chat.onCompleted();
      assertThat(done.get(90, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
      assertThat(echoed).hasSize(count);
      for (int i = 0; i < count; i++) {
        assertThat(echoed.get(i)).isEqualTo("message " + i);
      }
    }
  }

  /** Echoes with manual flow control: one request at a time, only while the client keeps up. */
  static final class EchoWithBackpressure extends SimpleServiceGrpc.SimpleServiceImplBase {
    final List<@Nullable String> onReadyTraceIds = new CopyOnWriteArrayList<>();
    final List<@Nullable String> onNextTraceIds = new CopyOnWriteArrayList<>();

    @Override
    public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> out) {
      ServerCallStreamObserver<SimpleResponse> call =
          (ServerCallStreamObserver<SimpleResponse>) out;
      call.disableAutoRequest();
      boolean[] waitingForReady = {false};
      call.setOnReadyHandler(
          () -> {
            onReadyTraceIds.add(MDC.get("traceId"));
            if (call.isReady() && !waitingForReady[0]) {
              waitingForReady[0] = true;
              call.request(1);
            }
          });
      return new StreamObserver<>() {
        @Override
        public void onNext(SimpleRequest request) {
          onNextTraceIds.add(MDC.get("traceId"));
          call.onNext(
              SimpleResponse.newBuilder().setResponseMessage(request.getRequestMessage()).build());
          if (call.isReady()) {
            call.request(1);
          } else {
            waitingForReady[0] = false;
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          call.onCompleted();
        }
      };
    }
  }
}
