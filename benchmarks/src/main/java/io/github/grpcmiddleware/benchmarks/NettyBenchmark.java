package io.github.grpcmiddleware.benchmarks;

import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Unary echo calls over Netty on 127.0.0.1 (plaintext, {@code directExecutor()} on both sides so
 * handlers and callbacks run on the event loops): the latency of one blocking call, and the
 * throughput with {@value #IN_FLIGHT} calls in flight from the async stub; bare and our full chain.
 */
@State(Scope.Benchmark)
@SuppressWarnings("NullAway.Init")
public class NettyBenchmark {

  /** Calls kept in flight by {@link #throughput()}. */
  static final int IN_FLIGHT = 16;

  /** Bare or our full chain without spans. */
  @Param({Stack.BARE, Stack.HEADERS_ONLY, Stack.CHAIN})
  public String stack;

  private final SimpleRequest request =
      SimpleRequest.newBuilder().setRequestMessage("hello").build();
  private final InFlight inFlight = new InFlight();
  private Stack config;
  private Endpoint endpoint;
  private SimpleServiceGrpc.SimpleServiceBlockingStub blocking;
  private SimpleServiceGrpc.SimpleServiceStub async;

  /** Starts the server and channel, and checks one call. */
  @Setup
  public void setUp() throws Exception {
    config = Stack.create(stack);
    endpoint = Endpoint.netty(config);
    blocking = SimpleServiceGrpc.newBlockingStub(endpoint.channel);
    async = SimpleServiceGrpc.newStub(endpoint.channel);
    Checks.echoed(latency());
  }

  /** Waits for the calls in flight, stops everything, and fails if any call failed. */
  @TearDown
  public void tearDown() throws Exception {
    try {
      inFlight.drain(10);
    } finally {
      endpoint.close();
      config.close();
    }
  }

  /**
   * One blocking call.
   *
   * @return the response, consumed by JMH
   */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public SimpleResponse latency() {
    return blocking.unaryRpc(request);
  }

  /**
   * Starts one call once fewer than {@value #IN_FLIGHT} are in flight; in the steady state calls
   * start as fast as they complete, so ops/s is completed calls per second.
   */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void throughput() throws InterruptedException {
    inFlight.acquire();
    async.unaryRpc(request, inFlight);
  }
}
