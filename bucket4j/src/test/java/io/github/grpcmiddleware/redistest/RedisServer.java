package io.github.grpcmiddleware.redistest;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@code redis-server} (Debian's package) for one test class, on a free 127.0.0.1 port,
 * without persistence; stopped after the class, and stoppable and restartable on the same port in
 * between (a store outage). Missing {@code redis-server} fails the class with the install command.
 *
 * <pre>{@code @RegisterExtension static final RedisServer redis = new RedisServer();}</pre>
 */
public final class RedisServer implements BeforeAllCallback, AfterAllCallback {
  public static final String INSTALL = "apt-get install -y redis-server";

  private int port;
  private @Nullable Process process;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    port = freePort();
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    stop();
  }

  /** The server's URI for Lettuce. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Starts the server on its port and waits until it answers PING. */
  public synchronized void start() throws IOException, InterruptedException {
    if (process != null) {
      throw new IllegalStateException("redis-server already runs on " + port);
    }
    Path log = Paths.get("target", "redis-" + port + ".log");
    Files.createDirectories(log.getParent());
    Process started =
        new ProcessBuilder(
                executable(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    process = started;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!ping()) {
      if (!started.isAlive()) {
        process = null;
        throw new IllegalStateException(
            "redis-server on port " + port + " exited; see " + log.toAbsolutePath());
      }
      if (System.nanoTime() - deadline > 0) {
        stop();
        throw new IllegalStateException("redis-server did not answer PING within 15 s on " + port);
      }
      Thread.sleep(20);
    }
  }

  /** Stops the server (SIGTERM, then SIGKILL after 10 s) and waits until it is gone. */
  public synchronized void stop() throws InterruptedException {
    Process running = process;
    process = null;
    if (running == null) {
      return;
    }
    running.destroy();
    if (!running.waitFor(10, TimeUnit.SECONDS)) {
      running.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private boolean ping() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      socket.setSoTimeout(500);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] answer = new byte[7];
      int read = 0;
      while (read < answer.length) {
        int n = in.read(answer, read, answer.length - read);
        if (n < 0) {
          return false;
        }
        read += n;
      }
      return new String(answer, StandardCharsets.US_ASCII).equals("+PONG\r\n");
    } catch (IOException e) {
      return false;
    }
  }

  private static String executable() {
    String path = System.getenv("PATH");
    String searched = (path == null ? "" : path) + File.pathSeparator + "/usr/bin:/usr/sbin";
    for (String dir : searched.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      File candidate = new File(dir, "redis-server");
      if (candidate.canExecute()) {
        return candidate.getAbsolutePath();
      }
    }
    throw new IllegalStateException(
        "redis-server not found on PATH or in /usr/bin: install it ("
            + INSTALL
            + " on Debian and Ubuntu; .ci/run does this when it is missing)");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
