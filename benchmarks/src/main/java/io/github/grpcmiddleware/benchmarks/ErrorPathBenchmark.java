package io.github.grpcmiddleware.benchmarks;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.testing.protobuf.SimpleRequest;
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
 * An in-process unary call whose handler throws an unmapped {@code IllegalStateException}: bare,
 * the client gets UNKNOWN (grpc-java logs the exception through java.util.logging, here to a no-op
 * handler); with our error mapping it gets INTERNAL with a localized message and {@code google.rpc}
 * details (the exception logged at ERROR to a no-op appender). The client catches the {@code
 * StatusRuntimeException}, as callers do.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@SuppressWarnings("NullAway.Init")
public class ErrorPathBenchmark {

  /** Bare, error mapping alone (default locale), or the full chain (zh-CN message). */
  @Param({Stack.BARE, Stack.ERRORS, Stack.CHAIN})
  public String stack;

  private final SimpleRequest request =
      SimpleRequest.newBuilder().setRequestMessage(EchoService.FAIL).build();
  private Stack config;
  private Endpoint endpoint;
  private SimpleServiceGrpc.SimpleServiceBlockingStub stub;

  /** Starts the server and channel, and checks the status the client gets. */
  @Setup
  public void setUp() throws Exception {
    config = Stack.create(stack);
    endpoint = Endpoint.inProcess(config);
    stub = SimpleServiceGrpc.newBlockingStub(endpoint.channel);
    StatusRuntimeException e = failingCall();
    Status.Code expected = Stack.BARE.equals(stack) ? Status.Code.UNKNOWN : Status.Code.INTERNAL;
    if (e.getStatus().getCode() != expected) {
      throw new IllegalStateException("expected " + expected + ", got " + e.getStatus());
    }
    if (expected == Status.Code.INTERNAL && StatusProto.fromThrowable(e) == null) {
      throw new IllegalStateException("no google.rpc details: " + e.getStatus());
    }
  }

  /** Stops everything. */
  @TearDown
  public void tearDown() throws Exception {
    endpoint.close();
    config.close();
  }

  /**
   * One failing call.
   *
   * @return the exception the client caught, consumed by JMH
   */
  @Benchmark
  public StatusRuntimeException failingCall() {
    try {
      stub.unaryRpc(request);
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new IllegalStateException("the call did not fail");
  }
}
