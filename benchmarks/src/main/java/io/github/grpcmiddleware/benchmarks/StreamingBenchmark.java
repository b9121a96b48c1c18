package io.github.grpcmiddleware.benchmarks;

import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One in-process bidi stream of {@value #MESSAGES} request messages, each echoed, per operation;
 * the score is per message (the stream's set-up spread over its messages). Bare against our full
 * chain: the difference is the chain's per-message overhead (every listener callback goes through
 * each interceptor's Context and MDC scope).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@SuppressWarnings("NullAway.Init")
public class StreamingBenchmark {

  /** Messages per stream. */
  static final int MESSAGES = 100;

  /** Bare or our full chain without spans. */
  @Param({Stack.BARE, Stack.CHAIN})
  public String stack;

  private final SimpleRequest request =
      SimpleRequest.newBuilder().setRequestMessage("hello").build();
  private Stack config;
  private Endpoint endpoint;
  private SimpleServiceGrpc.SimpleServiceStub async;

  /** Starts the server and channel, and checks one stream. */
  @Setup
  public void setUp() throws Exception {
    config = Stack.create(stack);
    endpoint = Endpoint.inProcess(config);
    async = SimpleServiceGrpc.newStub(endpoint.channel);
    if (bidi() != MESSAGES) {
      throw new IllegalStateException("not every message was echoed");
    }
  }

  /** Stops everything. */
  @TearDown
  public void tearDown() throws Exception {
    endpoint.close();
    config.close();
  }

  /**
   * One stream: {@value #MESSAGES} messages sent, echoed and received, then completed.
   *
   * @return the number of responses, consumed by JMH
   */
  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public int bidi() throws Exception {
    Responses responses = new Responses();
    StreamObserver<SimpleRequest> requests = async.bidiStreamingRpc(responses);
    for (int i = 0; i < MESSAGES; i++) {
      requests.onNext(request);
    }
    requests.onCompleted();
    return responses.done.get(10, TimeUnit.SECONDS);
  }

  private static final class Responses implements StreamObserver<SimpleResponse> {
    final CompletableFuture<Integer> done = new CompletableFuture<>();
    private int count;

    @Override
    public void onNext(SimpleResponse value) {
      count++;
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
      done.complete(count);
    }
  }
}
