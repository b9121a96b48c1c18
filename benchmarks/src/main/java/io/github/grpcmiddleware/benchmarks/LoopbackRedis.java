package io.github.grpcmiddleware.benchmarks;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.grpcmiddleware.bucket4j.Bucket4jLimiters;
import io.github.grpcmiddleware.limits.AsyncLimiterFactory;
import io.lettuce.core.RedisClient;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of the benchmark's own on a free 127.0.0.1 port, without persistence, and a
 * Lettuce client on it; for the rows of a limit kept in Redis ({@code grpc-middleware-bucket4j}).
 * Needs {@code redis-server} (apt-get install -y redis-server).
 */
final class LoopbackRedis implements AutoCloseable {
  /** A bucket no benchmark empties: 10^9 tokens, refilled at 10^9 a second. */
  static final BucketConfiguration PLENTY =
      BucketConfiguration.builder()
          .addLimit(
              limit ->
                  limit
                      .capacity(1_000_000_000L)
                      .refillGreedy(1_000_000_000L, Duration.ofSeconds(1)))
          .build();

  private final Process process;
  final RedisClient client;

  private LoopbackRedis(Process process, RedisClient client) {
    this.process = process;
    this.client = client;
  }

  /** Starts redis-server and waits until it accepts connections. */
  static LoopbackRedis start() throws IOException, InterruptedException {
    if (!new File("/usr/bin/redis-server").canExecute()) {
      throw new IllegalStateException("redis-server missing: apt-get install -y redis-server");
    }
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Process process =
        new ProcessBuilder(
                "/usr/bin/redis-server",
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
        break;
      } catch (IOException e) {
        if (System.nanoTime() - deadline > 0) {
          process.destroy();
          throw e;
        }
        Thread.sleep(20);
      }
    }
    return new LoopbackRedis(process, RedisClient.create("redis://127.0.0.1:" + port));
  }

  /** Limiters on this Redis: Bucket4j's Lettuce proxy manager, keys under {@code prefix}. */
  AsyncLimiterFactory limiters(String prefix, BucketConfiguration bucket) {
    return Bucket4jLimiters.builder(
            Bucket4jLettuce.casBasedBuilder(client).build(), Bucket4jLimiters.utf8Keys(prefix))
        .configuration(bucket)
        .build();
  }

  /** Stops the client and redis-server. */
  @Override
  public void close() throws InterruptedException {
    client.shutdown();
    process.destroy();
    process.waitFor(10, TimeUnit.SECONDS);
  }
}
