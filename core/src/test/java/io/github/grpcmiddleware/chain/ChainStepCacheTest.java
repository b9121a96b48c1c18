package io.github.grpcmiddleware.chain;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The chains build the handlers (channels) that link their parts once per method handler (per
 * channel) and cache them: one chain shared by several servers, methods and channels must still
 * send every call through every part to its own destination.
 */
class ChainStepCacheTest {

  private final List<Server> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  private final AtomicInteger serverParts = new AtomicInteger();
  private final AtomicInteger clientParts = new AtomicInteger();

  @AfterEach
  void tearDown() throws InterruptedException {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (Server server : servers) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void oneServerChainOnTwoServersAndTwoMethodsRoutesEveryCallThroughAllParts() throws Exception {
    ServerInterceptor chain =
        ServerChain.builder()
            .tracing(countingServer())
            .errorMapping(countingServer())
            .auth(countingServer())
            .build();
    Channel one = channel(server("one", chain));
    Channel two = channel(server("two", chain));

    for (int i = 0; i < 50; i++) {
      assertThat(unary(one, "u" + i)).isEqualTo("one:u" + i);
      assertThat(streaming(two, "s" + i)).isEqualTo("two:s" + i + "|two:s" + i);
      assertThat(streaming(one, "s" + i)).isEqualTo("one:s" + i + "|one:s" + i);
      assertThat(unary(two, "u" + i)).isEqualTo("two:u" + i);
    }
    assertThat(serverParts.get()).isEqualTo(200 * 3);
  }

  @Test
  void oneClientChainOnTwoChannelsSendsEachCallToItsOwnServer() throws Exception {
    ServerInterceptor serverChain = ServerChain.builder().build();
    ClientInterceptor chain =
        ClientChain.builder()
            .tracing(countingClient())
            .locale(countingClient())
            .application(countingClient())
            .build();
    ManagedChannel one =
        InProcessChannelBuilder.forName(server("one", serverChain)).intercept(chain).build();
    ManagedChannel two =
        InProcessChannelBuilder.forName(server("two", serverChain)).intercept(chain).build();
    channels.add(one);
    channels.add(two);

    for (int i = 0; i < 50; i++) {
      assertThat(unary(one, "a" + i)).isEqualTo("one:a" + i);
      assertThat(unary(two, "b" + i)).isEqualTo("two:b" + i);
      assertThat(streaming(two, "c" + i)).isEqualTo("two:c" + i + "|two:c" + i);
    }
    assertThat(clientParts.get()).isEqualTo(150 * 3);
  }

  private ServerInterceptor countingServer() {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        serverParts.incrementAndGet();
        return next.startCall(call, headers);
      }
    };
  }

  private ClientInterceptor countingClient() {
    return new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
        clientParts.incrementAndGet();
        return next.newCall(method, callOptions);
      }
    };
  }

  private String server(String name, ServerInterceptor chain) throws Exception {
    String address = InProcessServerBuilder.generateName();
    servers.add(
        InProcessServerBuilder.forName(address)
            .directExecutor()
            .addService(ServerChain.intercept(new Named(name), chain))
            .build()
            .start());
    return address;
  }

  private Channel channel(String address) {
    ManagedChannel channel = InProcessChannelBuilder.forName(address).directExecutor().build();
    channels.add(channel);
    return channel;
  }

  private static String unary(Channel channel, String message) {
    return SimpleServiceGrpc.newBlockingStub(channel)
        .unaryRpc(SimpleRequest.newBuilder().setRequestMessage(message).build())
        .getResponseMessage();
  }

  private static String streaming(Channel channel, String message) {
    Iterator<SimpleResponse> responses =
        SimpleServiceGrpc.newBlockingStub(channel)
            .serverStreamingRpc(SimpleRequest.newBuilder().setRequestMessage(message).build());
    StringBuilder joined = new StringBuilder();
    while (responses.hasNext()) {
      joined.append(joined.length() == 0 ? "" : "|").append(responses.next().getResponseMessage());
    }
    return joined.toString();
  }

  /** Answers with its name: once for a unary call, twice for a server-streaming call. */
  private static final class Named extends SimpleServiceGrpc.SimpleServiceImplBase {
    private final String name;

    Named(String name) {
      this.name = name;
    }

    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
      responses.onNext(reply(request));
      responses.onCompleted();
    }

    @Override
    public void serverStreamingRpc(
        SimpleRequest request, StreamObserver<SimpleResponse> responses) {
      responses.onNext(reply(request));
      responses.onNext(reply(request));
      responses.onCompleted();
    }

    private SimpleResponse reply(SimpleRequest request) {
      return SimpleResponse.newBuilder()
          .setResponseMessage(name + ":" + request.getRequestMessage())
          .build();
    }
  }
}
