package io.github.grpcmiddleware.chain;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.testsupport.CallObserver;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The transport's side of the response path (what grpc-java does below the chain when a message is
 * sent and the call closes, seen here by a stream tracer) runs with the call's MDC entries whether
 * the application sends from inside a listener callback (where the chain's bracket already holds
 * them, for inner parts too) or from a thread of its own (where the chain's call wrapper puts
 * them), and every thread's MDC is left as it was found.
 */
class ResponsePathMdcTest {

  private static final ExecutorService appThread = Executors.newSingleThreadExecutor();
  private static final String APP_THREAD_VALUE = "app-thread-own-value";

  /** An application part inside the chain: what it saw in the MDC on the response path. */
  private static final CallObserver inner = new CallObserver();

  /** The MDC trace id on the application thread after it sent the response. */
  private static final AtomicReference<String> appThreadAfter = new AtomicReference<>();

  /** Released when the thread that sent the response has returned from close. */
  private static volatile CountDownLatch responded = new CountDownLatch(1);

  /** What the transport saw in the MDC when a message went out and when the stream closed. */
  private static final List<String> transport = new CopyOnWriteArrayList<>();

  private static final String NAME = InProcessServerBuilder.generateName();
  private static final String NESTED = InProcessServerBuilder.generateName();
  private static Server server;
  private static ManagedChannel channel;

  /** Another traced service, called from the handler; everything on the caller's thread. */
  private static Server nestedServer;

  private static ManagedChannel nestedChannel;

  @BeforeAll
  static void start() throws Exception {
    server =
        InProcessServerBuilder.forName(NAME)
            .addService(
                ServerChain.intercept(
                    new Service(),
                    ServerChain.builder()
                        .tracing(TraceIds.newServerInterceptor())
                        .application(inner)
                        .build()))
            .addStreamTracerFactory(new TransportView())
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(NAME).build();
    nestedServer =
        InProcessServerBuilder.forName(NESTED)
            .directExecutor()
            .addService(
                ServerChain.intercept(
                    new Echo(),
                    ServerChain.builder().tracing(TraceIds.newServerInterceptor()).build()))
            .build()
            .start();
    nestedChannel = InProcessChannelBuilder.forName(NESTED).directExecutor().build();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow();
    nestedChannel.shutdownNow();
    nestedServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    appThread.shutdownNow();
  }

  @BeforeEach
  void clear() throws Exception {
    inner.seen.clear();
    transport.clear();
    appThreadAfter.set(null);
    responded = new CountDownLatch(1);
    appThread.submit(() -> MDC.put("traceId", APP_THREAD_VALUE)).get();
  }

  @Test
  void sentInsideTheHandlerCallback() throws InterruptedException {
    String echoed = call("inline");

    assertThat(inner.seen)
        .containsExactly("sendHeaders=" + echoed, "sendMessage=" + echoed, "close=" + echoed);
    assertThat(transport).containsExactly("message " + echoed, "closed " + echoed);
    assertThat(MDC.get("traceId")).isNull();
  }

  @Test
  void sentFromAnApplicationThread() throws InterruptedException {
    String echoed = call("app-thread");

    // Inner parts run before the chain's call wrapper on this path: they see the thread's own MDC
    // (an executor wrapped with TraceIds.wrap would give them the call's).
    assertThat(inner.seen)
        .containsExactly(
            "sendHeaders=" + APP_THREAD_VALUE,
            "sendMessage=" + APP_THREAD_VALUE,
            "close=" + APP_THREAD_VALUE);
    assertThat(transport).containsExactly("message " + echoed, "closed " + echoed);
    assertThat(appThreadAfter.get()).isEqualTo(APP_THREAD_VALUE);
    assertThat(MDC.get("traceId")).isNull();
  }

  @Test
  void sentFromInsideAnotherCallsCallbackOnTheSameThread() throws InterruptedException {
    // The handler calls another traced service and answers from that call's response callback,
    // which runs on this thread inside the other call's bracket (its trace id in the MDC).
    String echoed = call("nested");

    assertThat(transport).containsExactly("message " + echoed, "closed " + echoed);
    assertThat(MDC.get("traceId")).isNull();
  }

  /** Calls the service and returns the trace id the server echoed in {@code x-trace-id}. */
  private static String call(String how) throws InterruptedException {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    ClientInterceptor capture = MetadataUtils.newCaptureMetadataInterceptor(headers, trailers);
    SimpleResponse response =
        SimpleServiceGrpc.newBlockingStub(channel)
            .withInterceptors(capture)
            .unaryRpc(SimpleRequest.newBuilder().setRequestMessage(how).build());
    assertThat(response.getResponseMessage()).isEqualTo(how);
    // The client may see the close before the sending thread has returned from it.
    assertThat(responded.await(10, TimeUnit.SECONDS)).as("sender returned").isTrue();
    Metadata received = headers.get();
    assertThat(received).isNotNull();
    String echoed =
        Objects.requireNonNull(received)
            .get(Metadata.Key.of("x-trace-id", Metadata.ASCII_STRING_MARSHALLER));
    assertThat(echoed).hasSize(32);
    return echoed;
  }

  private static final class Service extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
      Runnable respond =
          () -> {
            responses.onNext(
                SimpleResponse.newBuilder()
                    .setResponseMessage(request.getRequestMessage())
                    .build());
            responses.onCompleted();
          };
      if (request.getRequestMessage().equals("nested")) {
        SimpleServiceGrpc.newStub(nestedChannel)
            .unaryRpc(
                request,
                new StreamObserver<SimpleResponse>() {
                  @Override
                  public void onNext(SimpleResponse response) {
                    responses.onNext(response);
                  }

                  @Override
                  public void onError(Throwable t) {
                    responses.onError(t);
                    responded.countDown();
                  }

                  @Override
                  public void onCompleted() {
                    responses.onCompleted();
                    responded.countDown();
                  }
                });
        return;
      }
      if (request.getRequestMessage().equals("inline")) {
        respond.run();
        responded.countDown();
        return;
      }
      appThread.execute(
          () -> {
            respond.run();
            appThreadAfter.set(MDC.get("traceId"));
            responded.countDown();
          });
    }
  }

  /** Echoes the request. */
  private static final class Echo extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
      responses.onNext(
          SimpleResponse.newBuilder().setResponseMessage(request.getRequestMessage()).build());
      responses.onCompleted();
    }
  }

  /** Notes the MDC trace id where the transport sends a message and closes the stream. */
  private static final class TransportView extends ServerStreamTracer.Factory {
    @Override
    public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
      return new ServerStreamTracer() {
        @Override
        public void outboundMessage(int seqNo) {
          transport.add("message " + MDC.get("traceId"));
        }

        @Override
        public void streamClosed(Status status) {
          transport.add("closed " + MDC.get("traceId"));
        }
      };
    }
  }
}
