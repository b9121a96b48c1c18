package io.github.grpcmiddleware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Clients that never read, against the example server in a JVM of its own started as
 * docs/production.md says ({@code -Xmx256m -XX:MaxDirectMemorySize=256m}): each connection reads
 * the server's SETTINGS, opens SayHello streams (public, no credentials), announces a message as
 * large as the server's flow-control window lets it send without waiting, sends all of it but the
 * last byte, and then neither finishes nor reads. The server holds what arrived (Netty direct
 * memory) until the connection goes. A normal call must still be answered, and nothing may throw
 * OutOfMemoryError.
 *
 * <p>The probe's latency is printed, not asserted (performance belongs to the benchmarks); the
 * probe must be answered before its 10 s deadline.
 */
class DirectMemoryBudgetTest {
  static final List<String> JVM = List.of("-Xmx256m", "-XX:MaxDirectMemorySize=256m");
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String HELLO = "/example.Greeter/SayHello";

  @Test
  void fiveHundredNeverReadingConnectionsLeaveNormalCallsAnswered() throws Exception {
    Outcome outcome = attack(Scale.of(500), 1, 3);
    assertThat(outcome.probes()).allSatisfy(p -> assertThat(p.code()).isEqualTo(Status.Code.OK));
    assertThat(outcome.outOfMemoryErrors()).as("OutOfMemoryError in the server's output").isZero();
  }

  @Test
  void neverReadingStreamsPastTheCallBudgetAreRefusedNotBuffered() throws Exception {
    // 12 connections x 100 streams: more calls than the budget admits at this heap and direct
    // memory (819 at 256 MiB). Without the cap, what the server holds grows with connections
    // times streams.
    Outcome outcome = attack(Scale.of(12), 100, 1);
    // The probe is answered: admitted, or refused at once while the budget is taken.
    assertThat(outcome.probes())
        .allSatisfy(p -> assertThat(p.code()).isIn(Status.Code.OK, Status.Code.RESOURCE_EXHAUSTED));
    assertThat(outcome.outOfMemoryErrors()).as("OutOfMemoryError in the server's output").isZero();
    assertThat(outcome.serverAlive()).isTrue();
  }

  record Outcome(
      List<ExampleServerProcess.Probe> probes, int outOfMemoryErrors, boolean serverAlive) {}

  /** Starts the server, holds the attack's connections open while probe calls are made. */
  private static Outcome attack(int connections, int streamsEach, int probes) throws Exception {
    try (ExampleServerProcess server = ExampleServerProcess.startExampleServer(JVM, 0)) {
      Attack attack = Attack.open(server.port(), connections, streamsEach);
      try {
        Outcome outcome =
            new Outcome(server.probe(probes), server.count("OutOfMemoryError"), server.isAlive());
        System.out.printf(
            "figure: %d never-reading connections x %d streams, %d MiB sent: probes %s; %d"
                + " OutOfMemoryError in the server's output; server alive %s%n",
            attack.connections(),
            streamsEach,
            attack.bytesSent() >> 20,
            outcome.probes(),
            outcome.outOfMemoryErrors(),
            outcome.serverAlive());
        return outcome;
      } finally {
        attack.close();
      }
    }
  }

  /** The never-reading connections, held open until closed. */
  static final class Attack implements AutoCloseable {
    private static final Duration ATTACK_TIME = Duration.ofSeconds(15);
    private final List<RawHttp2> connections = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong bytesSent =
        new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean done;

    /**
     * Opens the connections on a thread of its own, for at most {@code ATTACK_TIME}: a server that
     * stops reading a connection without closing it would block the writer for good.
     */
    static Attack open(int port, int connections, int streamsEach) throws Exception {
      Attack attack = new Attack();
      Thread writer =
          new Thread(() -> attack.run(port, connections, streamsEach), "never-reading-connections");
      writer.setDaemon(true);
      writer.start();
      writer.join(ATTACK_TIME.toMillis());
      attack.done = true;
      return attack;
    }

    private void run(int port, int connections, int streamsEach) {
      byte[] block = RawHttp2.requestHeaders(HELLO);
      for (int c = 0; c < connections && !done; c++) {
        RawHttp2 raw;
        try {
          raw = RawHttp2.connectNeverReading(port);
        } catch (IOException e) {
          break; // the server stopped accepting: what it holds so far is the attack
        }
        synchronized (this) {
          this.connections.add(raw);
        }
        try {
          raw.preface();
          long window = raw.readServerSettings(WAIT).setting(RawHttp2.SETTINGS_INITIAL_WINDOW_SIZE);
          // What the stream window lets the client send without waiting: the 5-byte prefix and
          // the body of a message announced that large, but for its last byte.
          int announced = (int) (window < 0 ? 65_535 : window) - 5;
          for (int s = 0; s < streamsEach; s++) {
            int stream = 1 + 2 * s;
            raw.headers(stream, block, true, false);
            raw.data(stream, RawHttp2.grpcMessage(false, announced, new byte[0]), false);
            byte[] chunk = new byte[16 * 1024];
            for (int left = announced - 1; left > 0; left -= chunk.length) {
              int n = Math.min(left, chunk.length);
              raw.data(stream, n == chunk.length ? chunk : new byte[n], false);
            }
            bytesSent.addAndGet(announced + 4L);
          }
          raw.flush();
        } catch (IOException e) {
          // The server closed this connection: keep going.
        }
      }
    }

    synchronized int connections() {
      return connections.size();
    }

    long bytesSent() {
      return bytesSent.get();
    }

    @Override
    public synchronized void close() {
      done = true;
      for (RawHttp2 raw : connections) {
        try {
          raw.close();
        } catch (IOException e) {
          // already closed
        }
      }
    }
  }
}
