package io.github.grpcmiddleware.testing;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** Shuts channels, servers and the handler pool down and reports what did not terminate. */
final class Cleanup {
  private Cleanup() {}

  /**
   * Shuts everything down, channels first, and waits for them within one shared timeout.
   *
   * @return a failure message naming what did not terminate, or null when everything did
   */
  static @Nullable String shutDown(
      List<ManagedChannel> channels,
      List<Server> servers,
      @Nullable ExecutorService pool,
      boolean immediately,
      Duration timeout) {
    for (ManagedChannel channel : channels) {
      if (immediately) {
        channel.shutdownNow();
      } else {
        channel.shutdown();
      }
    }
    for (Server server : servers) {
      if (immediately) {
        server.shutdownNow();
      } else {
        server.shutdown();
      }
    }
    List<String> stuck = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean interrupted = false;
    try {
      for (ManagedChannel channel : channels) {
        if (!channel.awaitTermination(remaining(deadline), TimeUnit.NANOSECONDS)) {
          channel.shutdownNow();
          stuck.add("channel " + channel);
        }
      }
      for (Server server : servers) {
        if (!server.awaitTermination(remaining(deadline), TimeUnit.NANOSECONDS)) {
          server.shutdownNow();
          stuck.add("server " + server);
        }
      }
    } catch (InterruptedException e) {
      interrupted = true;
      for (ManagedChannel channel : channels) {
        channel.shutdownNow();
      }
      for (Server server : servers) {
        server.shutdownNow();
      }
    } finally {
      if (pool != null) {
        // Interrupts handlers that never return, so their threads do not outlive the test.
        pool.shutdownNow();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
      return "GrpcServerExtension: interrupted while waiting for the server and channels to"
          + " terminate; they were shut down immediately";
    }
    if (stuck.isEmpty()) {
      return null;
    }
    return "GrpcServerExtension: "
        + stuck
        + " did not terminate within "
        + timeout.toMillis()
        + " ms after "
        + (immediately
            ? "shutdownNow() (the test failed)"
            : "a graceful shutdown() (the test passed)")
        + "; it was then shut down immediately. Usually a call was still running: a handler that"
        + " never completes its response, or a stream or call the test left open. Finish or"
        + " cancel every call before the test ends, or raise shutdownTimeout(...).";
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }
}
