package io.github.grpcmiddleware.chain;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.auth.Auth;
import io.github.grpcmiddleware.auth.Authenticators;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.logging.AccessLog;
import io.github.grpcmiddleware.testsupport.RawBytes;
import io.github.grpcmiddleware.testsupport.Rpcs;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One caller's request that does not decode ends that call only, never another call on the same
 * connection. grpc-java closes such a call itself (past every wrapper) while the handler may still
 * be told of the half-close; anything the chain then sends goes onto a stream the transport ended,
 * and Netty fails the whole connection ({@code GOAWAY INTERNAL_ERROR "Stream N sent too many
 * headers"}). Netty on 127.0.0.1, many rounds: the race does not show every time.
 */
@SuppressWarnings("NullAway") // server and channel are set by start()
class OneBadRequestTest {

  /** Field 1 (a string) announced with 5 bytes, and only 1 sent: not a SimpleRequest. */
  private static final byte[] UNDECODABLE = {0x0a, 0x05, 0x61};

  private static final int ROUNDS = 50;
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private Server server;
  private ManagedChannel channel;

  @AfterEach
  void tearDown() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    executor.shutdownNow();
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void anUndecodableFirstMessageNeverEndsAnotherStreamOnItsConnection(Rpcs kind) throws Exception {
    start(
        ServerChain.builder()
            .tracing(TraceIds.newServerInterceptor())
            .observability(AccessLog.newServerInterceptor())
            .errorMapping(ErrorMapping.newServerInterceptor())
            .auth(
                Auth.newServerInterceptor(
                    Authenticators.bearerTokens(Collections.singletonMap("t", "user"))))
            .build());

    for (int round = 0; round < ROUNDS; round++) {
      Bidi neighbour = new Bidi();
      neighbour.send("before");
      assertThat(neighbour.next()).as("round %d: echo before", round).isEqualTo("before");

      Status bad = callUndecodable(kind);

      assertThat(bad.getCode()).as("round %d: the bad call", round).isNotEqualTo(Status.Code.OK);
      neighbour.send("after");
      assertThat(neighbour.next())
          .as("round %d: echo after the bad call", round)
          .isEqualTo("after");
      assertThat(neighbour.finish()).as("round %d: the neighbour's end", round).isEqualTo("OK");
    }
  }

  private Status callUndecodable(Rpcs kind) throws Exception {
    MethodDescriptor<byte[], byte[]> method =
        RawBytes.unary(fullMethodName(kind)).toBuilder().setType(type(kind)).build();
    ClientCall<byte[], byte[]> call =
        channel.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
    CompletableFuture<Status> closed = new CompletableFuture<>();
    call.start(
        new ClientCall.Listener<byte[]>() {
          @Override
          public void onClose(Status status, Metadata trailers) {
            closed.complete(status);
          }
        },
        bearer());
    call.request(Integer.MAX_VALUE);
    call.sendMessage(UNDECODABLE);
    call.halfClose();
    return closed.get(10, TimeUnit.SECONDS);
  }

  private static String fullMethodName(Rpcs kind) {
    switch (kind) {
      case UNARY:
        return SimpleServiceGrpc.getUnaryRpcMethod().getFullMethodName();
      case SERVER_STREAMING:
        return SimpleServiceGrpc.getServerStreamingRpcMethod().getFullMethodName();
      case CLIENT_STREAMING:
        return SimpleServiceGrpc.getClientStreamingRpcMethod().getFullMethodName();
      default:
        return SimpleServiceGrpc.getBidiStreamingRpcMethod().getFullMethodName();
    }
  }

  private static MethodDescriptor.MethodType type(Rpcs kind) {
    switch (kind) {
      case UNARY:
        return MethodDescriptor.MethodType.UNARY;
      case SERVER_STREAMING:
        return MethodDescriptor.MethodType.SERVER_STREAMING;
      case CLIENT_STREAMING:
        return MethodDescriptor.MethodType.CLIENT_STREAMING;
      default:
        return MethodDescriptor.MethodType.BIDI_STREAMING;
    }
  }

  private static Metadata bearer() {
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer t");
    return headers;
  }

  /** A bidi stream on the shared channel, echoing each message. */
  private final class Bidi implements StreamObserver<SimpleResponse> {
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<String> end = new CompletableFuture<>();
    private final StreamObserver<SimpleRequest> requests;

    Bidi() {
      requests =
          SimpleServiceGrpc.newStub(channel)
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer()))
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .bidiStreamingRpc(this);
    }

    void send(String text) {
      requests.onNext(Rpcs.request(text));
    }

    @Nullable String next() throws InterruptedException {
      return received.poll(10, TimeUnit.SECONDS);
    }

    String finish() throws Exception {
      requests.onCompleted();
      return end.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void onNext(SimpleResponse value) {
      received.add(value.getResponseMessage());
    }

    @Override
    public void onError(Throwable t) {
      end.complete(Status.fromThrowable(t).toString());
      received.add("failed: " + Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      end.complete("OK");
    }
  }

  private void start(ServerInterceptor chain) throws Exception {
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .executor(executor)
            .addService(new EchoService());
    server =
        (Boolean.getBoolean("bare") ? builder : ServerChain.install(builder, chain))
            .build()
            .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  /** Echoes every kind; client streaming answers with the count when the client half-closes. */
  private static final class EchoService extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
      responses.onNext(response(request.getRequestMessage()));
      responses.onCompleted();
    }

    @Override
    public void serverStreamingRpc(
        SimpleRequest request, StreamObserver<SimpleResponse> responses) {
      responses.onNext(response(request.getRequestMessage()));
      responses.onNext(response(request.getRequestMessage()));
      responses.onCompleted();
    }

    @Override
    public StreamObserver<SimpleRequest> clientStreamingRpc(
        StreamObserver<SimpleResponse> responses) {
      return new StreamObserver<SimpleRequest>() {
        private int count;

        @Override
        public void onNext(SimpleRequest value) {
          count++;
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          responses.onNext(response("received " + count));
          responses.onCompleted();
        }
      };
    }

    @Override
    public StreamObserver<SimpleRequest> bidiStreamingRpc(
        StreamObserver<SimpleResponse> responses) {
      return new StreamObserver<SimpleRequest>() {
        @Override
        public void onNext(SimpleRequest value) {
          responses.onNext(response(value.getRequestMessage()));
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          responses.onCompleted();
        }
      };
    }

    private static SimpleResponse response(String text) {
      return SimpleResponse.newBuilder().setResponseMessage(text).build();
    }
  }
}
