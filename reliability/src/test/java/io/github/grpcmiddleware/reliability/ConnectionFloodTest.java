package io.github.grpcmiddleware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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
      // The soak profile multiplies it, up to what this JVM's own descriptors allow.
      int target = Math.min(Scale.of(2 * DESCRIPTORS), 8 * DESCRIPTORS);
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
        ExampleServerProcess.Probe probe = server.probe(1).get(0);
        int tooMany = server.count("Too many open files");
        System.out.printf(
            "figure: ulimit -n %d, %d slow connections opened in %d ms (%d failed to connect):"
                + " probe %s in %d ms; 'Too many open files' %d times in the server's output;"
                + " %s%n",
            DESCRIPTORS,
            held.size(),
            openedMillis,
            failed,
            probe.code(),
            probe.millis(),
            tooMany,
            limitsLine(server));
        assertThat(probe.code())
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
