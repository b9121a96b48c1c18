package io.github.grpcmiddleware.examples;

import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Demo of trace ids: a Netty server on 127.0.0.1 with the trace server interceptor, and a client
 * with the trace client interceptor making calls of all four kinds. Every log line shows the call's
 * {@code traceId} from the MDC.
 */
public final class TraceDemo {
  static final Logger serverLog = LoggerFactory.getLogger("demo.server");
  static final Logger clientLog = LoggerFactory.getLogger("demo.client");
  static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> X_TRACE_ID =
      Metadata.Key.of("x-trace-id", Metadata.ASCII_STRING_MARSHALLER);
  static final String INCOMING = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  private TraceDemo() {}

  /**
   * Runs the demo and exits.
   *
   * @param args ignored
   * @throws Exception when the server cannot start or a call fails
   */
  public static void main(String[] args) throws Exception {
    ExecutorService handlers = Executors.newFixedThreadPool(4);
    Server server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
            .executor(handlers)
            .addService(
                ServerInterceptors.intercept(new DemoService(), TraceIds.newServerInterceptor()))
            .build()
            .start();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(
                "127.0.0.1", server.getPort(), InsecureChannelCredentials.create())
            .intercept(TraceIds.newClientInterceptor())
            .build();
    try {
      SimpleServiceGrpc.SimpleServiceStub stub = SimpleServiceGrpc.newStub(channel);
      System.out.println("server on 127.0.0.1:" + server.getPort());

      Metadata incoming = new Metadata();
      incoming.put(TRACEPARENT, INCOMING);
      call(
          "unary, caller sends traceparent " + INCOMING,
          stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(incoming)),
          (s, o) -> s.unaryRpc(request("hello"), o));
      call("unary, no traceparent", stub, (s, o) -> s.unaryRpc(request("hello"), o));
      call("server streaming", stub, (s, o) -> s.serverStreamingRpc(request("count"), o));
      call(
          "client streaming",
          stub,
          (s, o) -> {
            StreamObserver<SimpleRequest> requests = s.clientStreamingRpc(o);
            requests.onNext(request("a"));
            requests.onNext(request("b"));
            requests.onCompleted();
          });
      call(
          "bidi streaming",
          stub,
          (s, o) -> {
            StreamObserver<SimpleRequest> requests = s.bidiStreamingRpc(o);
            requests.onNext(request("ping"));
            requests.onNext(request("pong"));
            requests.onCompleted();
          });
    } finally {
      channel.shutdown().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdown().awaitTermination(5, TimeUnit.SECONDS);
      handlers.shutdown();
    }
    System.out.println("done");
  }

  interface Call {
    void start(SimpleServiceGrpc.SimpleServiceStub stub, StreamObserver<SimpleResponse> observer);
  }

  private static void call(String title, SimpleServiceGrpc.SimpleServiceStub stub, Call call)
      throws InterruptedException {
    System.out.println();
    System.out.println("== " + title);
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    ClientObserver observer = new ClientObserver();
    call.start(
        stub.withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers)),
        observer);
    if (!observer.done.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("call did not finish: " + title);
    }
    Metadata received = headers.get();
    String echoed = received == null ? null : received.get(X_TRACE_ID);
    System.out.println(
        "   x-trace-id: "
            + echoed
            + (echoed != null && echoed.equals(observer.clientTraceId.get())
                ? " (same id in the client's MDC)"
                : " (MISMATCH with client MDC " + observer.clientTraceId.get() + ")"));
  }

  static SimpleRequest request(String text) {
    return SimpleRequest.newBuilder().setRequestMessage(text).build();
  }

  /** Logs each response; runs with the call's trace id in the MDC (client interceptor). */
  static final class ClientObserver implements StreamObserver<SimpleResponse> {
    final CountDownLatch done = new CountDownLatch(1);
    final AtomicReference<@Nullable String> clientTraceId = new AtomicReference<>();

    @Override
    public void onNext(SimpleResponse value) {
      clientTraceId.set(MDC.get("traceId"));
      clientLog.info("received '{}'", value.getResponseMessage());
    }

    @Override
    public void onError(Throwable t) {
      clientLog.warn("failed: {}", t.toString());
      done.countDown();
    }

    @Override
    public void onCompleted() {
      done.countDown();
    }
  }

  /** Logs from every handler callback; the trace interceptor put the id in the MDC. */
  static final class DemoService extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
      serverLog.info("unary '{}'", request.getRequestMessage());
      reply(responses, "hi");
      responses.onCompleted();
    }

    @Override
    public void serverStreamingRpc(
        SimpleRequest request, StreamObserver<SimpleResponse> responses) {
      serverLog.info("streaming two replies to '{}'", request.getRequestMessage());
      reply(responses, "one");
      reply(responses, "two");
      responses.onCompleted();
    }

    @Override
    public StreamObserver<SimpleRequest> clientStreamingRpc(
        StreamObserver<SimpleResponse> responses) {
      return observer(
          r -> serverLog.info("got '{}'", r.getRequestMessage()),
          () -> {
            reply(responses, "got them all");
            responses.onCompleted();
          });
    }

    @Override
    public StreamObserver<SimpleRequest> bidiStreamingRpc(
        StreamObserver<SimpleResponse> responses) {
      return observer(
          r -> {
            serverLog.info("echo '{}'", r.getRequestMessage());
            reply(responses, r.getRequestMessage());
          },
          responses::onCompleted);
    }

    private static void reply(StreamObserver<SimpleResponse> responses, String text) {
      responses.onNext(SimpleResponse.newBuilder().setResponseMessage(text).build());
    }

    private static StreamObserver<SimpleRequest> observer(
        Consumer<SimpleRequest> onNext, Runnable onCompleted) {
      return new StreamObserver<SimpleRequest>() {
        @Override
        public void onNext(SimpleRequest value) {
          onNext.accept(value);
        }

        @Override
        public void onError(Throwable t) {
          serverLog.warn("client failed: {}", t.toString());
        }

        @Override
        public void onCompleted() {
          onCompleted.run();
        }
      };
    }
  }
}
