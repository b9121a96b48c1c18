package io.github.grpcmiddleware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.examples.proto.GreeterGrpc;
import io.github.grpcmiddleware.examples.proto.HelloRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Descriptor exhaustion, scaled down honestly: the run opened 20,600 slow connections to a
 * server whose limit was 20,000 descriptors ({@code ulimit -n}), and every normal call timed out.
 * Here the example server runs in a JVM of its own with {@code ulimit -n} {@link #DESCRIPTORS}, and
 * the test opens twice that many slow connections (each sends the HTTP/2 preface, then nothing, and
 * never reads), holds them, and makes a normal call. Opening 20,000 sockets in the test JVM as well
 * would not fit in this machine's own descriptor limit; the ratio of connections to the server's
 * descriptors is what matters, and it is larger here (2 instead of 1.03).
 */
class ConnectionFloodTest {
  private static final int DESCRIPTORS = 1024;

  @Test
  void twiceTheServersDescriptorsInSlowConnectionsLeaveANormalCallAnswered() throws Exception {
    try (ExampleServerProcess server =
        ExampleServerProcess.startExampleServer(DirectMemoryBudgetTest.JVM, DESCRIPTORS)) {
      int target = Scale.of(2 * DESCRIPTORS);
      List<RawHttp2> held = new ArrayList<>();
      long start = System.nanoTime();
      int failed = 0;
      try {
        for (int i = 0; i < target; i++) {
          try {
            RawHttp2 raw = RawHttp2.connectNeverReading(server.port());
            held.add(raw);
            raw.preface();
          } catch (IOException e) {
            failed++; // refused, or closed by the server at once
          }
        }
        long openedMillis = (System.nanoTime() - start) / 1_000_000;
        ManagedChannel channel =
            NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        long probeStart = System.nanoTime();
        Status.Code code;
        try {
          GreeterGrpc.newBlockingStub(channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .sayHello(HelloRequest.newBuilder().setName("probe").build());
          code = Status.Code.OK;
        } catch (StatusRuntimeException e) {
          code = e.getStatus().getCode();
        } finally {
          channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        long probeMillis = (System.nanoTime() - probeStart) / 1_000_000;
        int tooMany = server.count("Too many open files");
        System.out.printf(
            "figure: ulimit -n %d, %d slow connections opened in %d ms (%d failed to connect):"
                + " probe %s in %d ms; 'Too many open files' %d times in the server's output;"
                + " %s%n",
            DESCRIPTORS,
            held.size(),
            openedMillis,
            failed,
            code,
            probeMillis,
            tooMany,
            limitsLine(server));
        assertThat(code)
            .as("the normal call, answered before its 10 s deadline")
            .isEqualTo(Status.Code.OK);
        assertThat(server.isAlive()).isTrue();
      } finally {
        for (RawHttp2 raw : held) {
          raw.close();
        }
      }
    }
  }

  private static String limitsLine(ExampleServerProcess server) {
    for (String line : server.text(0).lines().toList()) {
      if (line.contains("limits:")) {
        return line.substring(line.indexOf("limits:"));
      }
    }
    return "(no limits line)";
  }
}
