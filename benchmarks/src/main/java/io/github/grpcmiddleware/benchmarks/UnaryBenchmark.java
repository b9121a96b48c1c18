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
 * One in-process unary echo call through a blocking stub, per interceptor stack: the bare call (the
 * floor), each of our interceptors alone, our full chain, and the peers users would pick instead.
 * Both sides use {@code directExecutor()} (see {@link Endpoint}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@SuppressWarnings("NullAway.Init")
public class UnaryBenchmark {

  /** The interceptor stack; see {@link Stack}. */
  @Param({
    Stack.BARE,
    Stack.TRACE,
    Stack.ERRORS,
    Stack.LOCALE,
    Stack.AUTH,
    Stack.ACCESS_LOG_OFF,
    Stack.ACCESS_LOG_ON,
    Stack.METRICS,
    Stack.LIMITS,
    Stack.LIMITS_PERMITS,
    Stack.SPANS,
    Stack.CHAIN,
    Stack.CHAIN_SPANS,
    Stack.PEER_MDC,
    Stack.PEER_MICROMETER,
    Stack.PEER_OBSERVATION,
    Stack.PEER_OTEL,
    Stack.PEER_OTEL_NO_EVENTS
  })
  public String stack;

  private final SimpleRequest request =
      SimpleRequest.newBuilder().setRequestMessage("hello").build();
  private Stack config;
  private Endpoint endpoint;
  private SimpleServiceGrpc.SimpleServiceBlockingStub stub;

  /** Starts the server and channel, and checks one call. */
  @Setup
  public void setUp() throws Exception {
    config = Stack.create(stack);
    endpoint = Endpoint.inProcess(config);
    stub = SimpleServiceGrpc.newBlockingStub(endpoint.channel);
    Checks.echoed(unary());
  }

  /** Stops everything, and checks that span stacks exported spans. */
  @TearDown
  public void tearDown() throws Exception {
    endpoint.close();
    config.close();
    Checks.spansExported(config);
  }

  /**
   * One unary call.
   *
   * @return the response, consumed by JMH
   */
  @Benchmark
  public SimpleResponse unary() {
    return stub.unaryRpc(request);
  }
}
