package io.github.grpcmiddleware.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ChainOrderTest {

  private static final List<String> events = new CopyOnWriteArrayList<>();
  private static final List<ServerCallScope> seenInfos = new CopyOnWriteArrayList<>();

  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(
              ServerChain.intercept(
                  new Echo(),
                  // Given in scrambled order on purpose: the builder must order the slots.
                  ServerChain.builder()
                      .auth(recording("auth"))
                      .application(recording("app1"))
                      .errorMapping(recording("errors"))
                      .observability(recording("log"))
                      .application(recording("app2"))
                      .locale(recording("locale"))
                      .observability(recording("metrics"))
                      .tracing(recording("trace"))
                      .build()))
          .build();

  @BeforeEach
  void clear() {
    events.clear();
    seenInfos.clear();
  }

  @Test
  void serverPartsRunOutermostFirstAndCloseTravelsOutwards() {
    SimpleResponse response =
        SimpleServiceGrpc.newBlockingStub(grpc.channel())
            .unaryRpc(SimpleRequest.newBuilder().setRequestMessage("hi").build());

    assertThat(response.getResponseMessage()).isEqualTo("hi");
    assertThat(events)
        .containsExactly(
            "start trace",
            "start log",
            "start metrics",
            "start locale",
            "start errors",
            "start app1",
            "start app2",
            "start auth",
            "handler",
            "close auth",
            "close app2",
            "close app1",
            "close errors",
            "close locale",
            "close metrics",
            "close log",
            "close trace");
    assertThat(seenInfos).hasSize(9).doesNotContainNull();
    assertThat(seenInfos.stream().distinct()).hasSize(1);
  }

  @Test
  void eachCallGetsItsOwnScope() {
    SimpleServiceGrpc.SimpleServiceBlockingStub stub =
        SimpleServiceGrpc.newBlockingStub(grpc.channel());
    stub.unaryRpc(SimpleRequest.getDefaultInstance());
    ServerCallScope first = seenInfos.get(0);
    seenInfos.clear();
    stub.unaryRpc(SimpleRequest.getDefaultInstance());

    assertThat(seenInfos.get(0)).isNotSameAs(first);
  }

  @Test
  void clientPartsRunApplicationSideFirstAndTracingSeesResponsesFirst() {
    ClientInterceptor chain =
        ClientChain.builder()
            .tracing(clientRecording("trace"))
            .application(clientRecording("app"))
            .locale(clientRecording("locale"))
            .errorReporting(clientRecording("errors"))
            .observability(clientRecording("log"))
            .build();

    SimpleServiceGrpc.newBlockingStub(grpc.channel(chain))
        .unaryRpc(SimpleRequest.getDefaultInstance());

    assertThat(events.stream().filter(e -> e.startsWith("client")))
        .containsExactly(
            "client start log",
            "client start errors",
            "client start locale",
            "client start app",
            "client start trace",
            "client close trace",
            "client close app",
            "client close locale",
            "client close errors",
            "client close log");
  }

  @Test
  void aSlotTakesOnePart() {
    ServerChainBuilder server = ServerChain.builder().tracing(recording("a"));
    assertThatThrownBy(() -> server.tracing(recording("b")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("tracing already set");
    ClientChainBuilder client = ClientChain.builder().locale(clientRecording("a"));
    assertThatThrownBy(() -> client.locale(clientRecording("b")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("locale already set");
  }

  private static ServerInterceptor recording(String name) {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        events.add("start " + name);
        seenInfos.add(ServerCallScope.current());
        return next.startCall(
            new SimpleForwardingServerCall<ReqT, RespT>(call) {
              @Override
              public void close(Status status, Metadata trailers) {
                events.add("close " + name);
                super.close(status, trailers);
              }
            },
            headers);
      }
    };
  }

  private static ClientInterceptor clientRecording(String name) {
    return new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
        events.add("client start " + name);
        return new SimpleForwardingClientCall<ReqT, RespT>(next.newCall(method, callOptions)) {
          @Override
          public void start(Listener<RespT> listener, Metadata headers) {
            super.start(
                new SimpleForwardingClientCallListener<RespT>(listener) {
                  @Override
                  public void onClose(Status status, Metadata trailers) {
                    events.add("client close " + name);
                    super.onClose(status, trailers);
                  }
                },
                headers);
          }
        };
      }
    };
  }

  private static final class Echo extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> observer) {
      events.add("handler");
      seenInfos.add(ServerCallScope.current());
      observer.onNext(
          SimpleResponse.newBuilder().setResponseMessage(request.getRequestMessage()).build());
      observer.onCompleted();
    }
  }
}
