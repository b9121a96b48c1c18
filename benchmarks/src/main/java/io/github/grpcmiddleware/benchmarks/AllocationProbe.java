package io.github.grpcmiddleware.benchmarks;

import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.lang.management.ManagementFactory;

/**
 * Prints the exact bytes allocated per in-process unary call for each stack named on the command
 * line, in seconds rather than JMH's minutes: the calling thread runs client, transport and server
 * ({@code directExecutor()} on both sides), so {@code ThreadMXBean}'s allocated-bytes counter for
 * that thread covers the whole call. Times are printed too but mean little; use JMH for them.
 *
 * <pre>{@code
 * for s in bare trace chain; do
 *   java -cp benchmarks/target/benchmarks.jar \
 *     io.github.grpcmiddleware.benchmarks.AllocationProbe $s
 * done
 * }</pre>
 *
 * <p>Run one stack per JVM, as JMH forks do: which stacks ran before in the same JVM changes what
 * the JIT's escape analysis removes. The lowest of five rounds is printed.
 */
public final class AllocationProbe {

  private AllocationProbe() {}

  /**
   * Measures each stack.
   *
   * @param args stack names (see {@code Stack}); system property {@code calls} sets the calls per
   *     round (default 50,000), with four times as many to warm up first
   * @throws Exception when a stack fails to start
   */
  public static void main(String[] args) throws Exception {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    SimpleRequest request = SimpleRequest.newBuilder().setRequestMessage("hello").build();
    int calls = Integer.getInteger("calls", 50_000);
    long thread = Thread.currentThread().getId();
    for (String name : args) {
      Stack stack = Stack.create(name);
      Endpoint endpoint = Endpoint.inProcess(stack);
      try {
        SimpleServiceGrpc.SimpleServiceBlockingStub stub =
            SimpleServiceGrpc.newBlockingStub(endpoint.channel);
        Checks.echoed(stub.unaryRpc(request));
        for (int i = 0; i < 4 * calls; i++) {
          stub.unaryRpc(request);
        }
        long bytes = Long.MAX_VALUE;
        long nanos = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
          long allocated = threads.getThreadAllocatedBytes(thread);
          long start = System.nanoTime();
          for (int i = 0; i < calls; i++) {
            stub.unaryRpc(request);
          }
          nanos = Math.min(nanos, (System.nanoTime() - start) / calls);
          bytes = Math.min(bytes, (threads.getThreadAllocatedBytes(thread) - allocated) / calls);
        }
        System.out.printf("%-20s %,7d B/call %,8d ns/call%n", name, bytes, nanos);
      } finally {
        endpoint.close();
        stack.close();
      }
    }
  }
}
