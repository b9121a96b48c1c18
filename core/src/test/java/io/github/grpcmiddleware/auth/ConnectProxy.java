package io.github.grpcmiddleware.auth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A minimal HTTP CONNECT proxy on 127.0.0.1, as a developer's local proxy (or one set with {@code
 * https.proxyHost}) would be: it tunnels each connection to the requested port, on 127.0.0.1
 * whatever host name was asked for (tests cannot reach other hosts), and records what it was asked
 * to connect to.
 */
final class ConnectProxy implements AutoCloseable {
  final List<String> connectTargets = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final ServerSocket listener;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          task -> {
            Thread thread = new Thread(task, "connect-proxy");
            thread.setDaemon(true);
            return thread;
          });

  ConnectProxy() throws IOException {
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::accept);
  }

  InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        sockets.add(client);
        threads.execute(() -> tunnel(client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void tunnel(Socket client) {
    try {
      String head = readHead(client.getInputStream());
      String[] requestLine = head.split("\r\n", 2)[0].split(" ");
      if (requestLine.length != 3 || !requestLine[0].equals("CONNECT")) {
        client.close();
        return;
      }
      String target = requestLine[1];
      connectTargets.add(target);
      int port = Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
      Socket server = new Socket(InetAddress.getLoopbackAddress(), port);
      sockets.add(server);
      client
          .getOutputStream()
          .write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      threads.execute(() -> copy(server, client));
      copy(client, server);
    } catch (IOException | RuntimeException e) {
      closeQuietly(client);
    }
  }

  /** Reads up to and including the blank line that ends the request's head. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < end.length && head.size() < 8192) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the client closed before the end of the CONNECT request");
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  private static void copy(Socket from, Socket to) {
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      byte[] buffer = new byte[8192];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
        out.flush();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    sockets.forEach(ConnectProxy::closeQuietly);
    threads.shutdownNow();
  }
}
