package io.github.grpcmiddleware.benchmarks;

import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.HashMap;
import java.util.Map;

/**
 * Prints the CPU time each thread spends per call when unary calls run over Netty on 127.0.0.1 with
 * {@link NettyBenchmark#IN_FLIGHT} in flight, as {@code NettyBenchmark.throughput} does, for each
 * stack named on the command line. On a 2-core machine throughput is bound by CPU per call, and CPU
 * time is less disturbed by the scheduler than calls per second; it is still noisy on a shared
 * machine (repeat the floor at the end to see how much).
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar \
 *   io.github.grpcmiddleware.benchmarks.NettyCpuProbe bare chain bare chain
 * }</pre>
 */
public final class NettyCpuProbe {

  private NettyCpuProbe() {}

  /**
   * Measures each stack.
   *
   * @param args stack names (see {@code Stack}); system property {@code calls} sets the calls
   *     measured (default 200,000), after as many to warm up
   * @throws Exception when a stack fails to start or a call fails
   */
  public static void main(String[] args) throws Exception {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    int calls = Integer.getInteger("calls", 200_000);
    for (String name : args) {
      Stack stack = Stack.create(name);
      Endpoint endpoint = Endpoint.netty(stack);
      try {
        Caller caller = new Caller(SimpleServiceGrpc.newStub(endpoint.channel));
        caller.run(calls);
        Map<Long, Long> before = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
          before.put(id, threads.getThreadCpuTime(id));
        }
        long start = System.nanoTime();
        caller.run(calls);
        long wall = System.nanoTime() - start;
        StringBuilder perThread = new StringBuilder();
        long total = 0;
        for (long id : threads.getAllThreadIds()) {
          Long was = before.get(id);
          ThreadInfo info = threads.getThreadInfo(id);
          long used = threads.getThreadCpuTime(id) - (was == null ? 0 : was);
          if (was == null || info == null || used <= 0) {
            continue;
          }
          total += used / calls;
          if (used / calls >= 500) {
            perThread.append(String.format(" %s=%,d", info.getThreadName(), used / calls));
          }
        }
        System.out.printf(
            "%-14s %,8.0f calls/s  CPU %,7d ns/call:%s%n",
            name, calls * 1e9 / wall, total, perThread);
      } finally {
        endpoint.close();
        stack.close();
      }
    }
  }

  /** Keeps {@link NettyBenchmark#IN_FLIGHT} async calls in flight. */
  private static final class Caller {
    private final SimpleServiceGrpc.SimpleServiceStub stub;
    private final InFlight inFlight = new InFlight();
    private final SimpleRequest request =
        SimpleRequest.newBuilder().setRequestMessage("hello").build();

    Caller(SimpleServiceGrpc.SimpleServiceStub stub) {
      this.stub = stub;
    }

    void run(int calls) throws InterruptedException {
      for (int i = 0; i < calls; i++) {
        inFlight.acquire();
        stub.unaryRpc(request, inFlight);
      }
      inFlight.drain(30);
    }
  }
}
