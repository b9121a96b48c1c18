package io.github.grpcmiddleware.trace;

import static io.github.grpcmiddleware.trace.TraceIdsServerInterceptorTest.assertHandlerSaw;
import static io.github.grpcmiddleware.trace.TraceIdsServerInterceptorTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

/** Many concurrent calls on few threads: every observation is its own call's; threads end clean. */
class TraceIsolationTest {
  static final int CALLS = 2_000;
  static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> X_REQUEST_ID =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);

  /** Lifecycle only: the servers here need executors this test can inspect. */
  @RegisterExtension final GrpcServerExtension grpc = GrpcServerExtension.builder().build();

  final List<ExecutorService> pools = new ArrayList<>();

  @RegisterExtension
  final LogCapture handlerLog = LogCapture.forLogger(TraceTestService.HANDLER_LOG.getName());

  @AfterEach
  void tearDown() {
    pools.forEach(ExecutorService::shutdownNow);
    MDC.clear();
  }

  @Test
  void thousandsOfConcurrentCallsEachSeeTheirOwnId() throws Exception {
    ExecutorService serverPool = pool(3, Map.of());
    ExecutorService clientPool = pool(2, Map.of());
    SimpleServiceGrpc.SimpleServiceStub stub =
        SimpleServiceGrpc.newStub(start(serverPool, clientPool));
    handlerLog.clear(); // only the calls below

    Queue<String> problems = new ConcurrentLinkedQueue<>();
    CountDownLatch done = new CountDownLatch(CALLS);
    for (int i = 0; i < CALLS; i++) {
      String id = UUID.randomUUID().toString().replace("-", "");
      Metadata headers = new Metadata();
      headers.put(TRACEPARENT, "00-" + id + "-00f067aa0ba902b7-01");
      stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .unaryRpc(request(id), new CheckingObserver(id, problems, done));
    }

    assertThat(done.await(60, TimeUnit.SECONDS)).as("all calls finished").isTrue();
    assertThat(problems).isEmpty();
    List<LoggedEvent> events = handlerLog.events();
    assertThat(events).hasSize(CALLS);
    assertThat(events)
        .allSatisfy(e -> assertThat("unary " + e.mdc().get("traceId")).isEqualTo(e.message()));
    assertThat(mdcOfEachThread(serverPool, 3)).containsOnly(Map.of());
    assertThat(mdcOfEachThread(clientPool, 2)).containsOnly(Map.of());
  }

  @Test
  void restoresWhatThreadsAndTheCallerAlreadyHeld() throws Exception {
    Map<String, String> owner =
        Map.of("traceId", "owner-trace", "spanId", "owner-span", "requestId", "owner-request");
    ExecutorService serverPool = pool(2, owner);
    ExecutorService clientPool = pool(2, owner);
    ManagedChannel channel = start(serverPool, clientPool);
    Metadata requestId = new Metadata();
    requestId.put(X_REQUEST_ID, "req-42");
    SimpleServiceGrpc.SimpleServiceStub stub =
        SimpleServiceGrpc.newStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(requestId));

    Queue<String> problems = new ConcurrentLinkedQueue<>();
    CountDownLatch done = new CountDownLatch(200);
    for (int i = 0; i < 100; i++) {
      stub.unaryRpc(request("x"), new CheckingObserver(null, problems, done));
      StreamObserver<io.grpc.testing.protobuf.SimpleRequest> bidi =
          stub.bidiStreamingRpc(new CheckingObserver(null, problems, done));
      bidi.onNext(request("y"));
      bidi.onCompleted();
    }
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(problems).isEmpty();
    assertThat(mdcOfEachThread(serverPool, 2)).containsOnly(owner);
    assertThat(mdcOfEachThread(clientPool, 2)).containsOnly(owner);

    // Blocking stubs run the client callbacks on the calling thread.
    MDC.put("traceId", "caller-value");
    MDC.put("spanId", "caller-span");
    SimpleResponse response =
        SimpleServiceGrpc.newBlockingStub(channel).unaryRpc(request("blocking"));
    String handlerTraceId = response.getResponseMessage().split(" ")[0];
    assertThat(handlerTraceId).matches("[0-9a-f]{32}");
    assertThat(MDC.get("traceId")).isEqualTo("caller-value");
    assertThat(MDC.get("spanId")).isEqualTo("caller-span");
  }

  private ManagedChannel start(ExecutorService serverPool, ExecutorService clientPool)
      throws Exception {
    String name = InProcessServerBuilder.generateName();
    grpc.register(
        InProcessServerBuilder.forName(name)
            .executor(serverPool)
            .addService(
                ServerInterceptors.intercept(
                    new TraceTestService(),
                    TraceIds.serverBuilder().spanIdMdcKey("spanId").build()))
            .build()
            .start());
    return grpc.register(
        InProcessChannelBuilder.forName(name)
            .executor(clientPool)
            .intercept(TraceIds.newClientInterceptor())
            .build());
  }

  /** A fixed pool whose threads start with {@code initialMdc} in their MDC. */
  private ExecutorService pool(int threads, Map<String, String> initialMdc) {
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t =
                  new Thread(
                      () -> {
                        initialMdc.forEach(MDC::put);
                        r.run();
                      });
              t.setDaemon(true);
              return t;
            });
    pools.add(pool);
    return pool;
  }

  /** Runs one task on each thread of a fixed pool (a barrier keeps them apart). */
  static List<Map<String, String>> mdcOfEachThread(ExecutorService pool, int threads)
      throws Exception {
    CyclicBarrier barrier = new CyclicBarrier(threads);
    List<Future<Map<String, String>>> futures = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      futures.add(
          pool.submit(
              () -> {
                barrier.await(10, TimeUnit.SECONDS);
                Map<String, String> copy = MDC.getCopyOfContextMap();
                return copy == null ? new HashMap<String, String>() : copy;
              }));
    }
    List<Map<String, String>> result = new ArrayList<>();
    for (Future<Map<String, String>> f : futures) {
      result.add(f.get(20, TimeUnit.SECONDS));
    }
    return result;
  }

  /** Checks each response and client callback against the call's id (or the x-trace-id echo). */
  static final class CheckingObserver implements StreamObserver<SimpleResponse> {
    private final @Nullable String expected;
    private final Queue<String> problems;
    private final CountDownLatch done;

    CheckingObserver(@Nullable String expected, Queue<String> problems, CountDownLatch done) {
      this.expected = expected;
      this.problems = problems;
      this.done = done;
    }

    @Override
    public void onNext(SimpleResponse value) {
      String clientMdc = MDC.get("traceId");
      String id = expected != null ? expected : String.valueOf(clientMdc);
      try {
        assertHandlerSaw(value.getResponseMessage(), id);
        assertThat(clientMdc).isEqualTo(id);
        assertThat(id).matches("[0-9a-f]{32}");
      } catch (AssertionError e) {
        problems.add(e.getMessage());
      }
    }

    @Override
    public void onError(Throwable t) {
      problems.add(t.toString());
      done.countDown();
    }

    @Override
    public void onCompleted() {
      if (expected != null && !expected.equals(MDC.get("traceId"))) {
        problems.add("onCompleted MDC " + MDC.get("traceId") + " != " + expected);
      }
      done.countDown();
    }
  }
}
