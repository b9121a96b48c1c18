package io.github.grpcmiddleware.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.examples.proto.ChatMessage;
import io.github.grpcmiddleware.examples.proto.GreeterGrpc;
import io.github.grpcmiddleware.examples.proto.HelloRequest;
import io.github.grpcmiddleware.examples.proto.UserServiceGrpc;
import io.github.grpcmiddleware.logging.AccessLog;
import io.github.grpcmiddleware.testing.LogCapture;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The connection limit and the cap on calls in flight of {@link ProductionSettings}, on the example
 * server over Netty on 127.0.0.1 (the reliability suite attacks them at scale).
 */
@Timeout(60)
class ProductionLimitsTest {
  private static final String TOKEN = "limits-token";
  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\4\0\0\0\0\0".getBytes(StandardCharsets.ISO_8859_1);

  @RegisterExtension
  final LogCapture accessLog = LogCapture.forLogger(AccessLog.SERVER_LOGGER_NAME);

  private final List<Socket> sockets = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private @Nullable Server server;

  @AfterEach
  void stop() throws Exception {
    for (Socket s : sockets) {
      s.close();
    }
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    Server s = server;
    if (s != null) {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void pastTheConnectionLimitTheLongestIdleConnectionsAreClosed() throws Exception {
    start(ProductionSettings.builder().maxConnections(3).build());
    for (int i = 0; i < 7; i++) {
      sockets.add(idleConnection());
    }
    List<Boolean> open = new ArrayList<>();
    for (Socket s : sockets) {
      open.add(isOpen(s));
    }
    // The 4 oldest made room for newer ones; the 3 newest are open.
    assertThat(open).containsExactly(false, false, false, false, true, true, true);
    assertThat(hello(channel())).isEqualTo("Hello, limits!");
  }

  @Test
  void aConnectionServingACallIsNeverTheOneClosed() throws Exception {
    start(ProductionSettings.builder().maxConnections(2).build());
    Chat chat = new Chat(channel());
    assertThat(chat.echo("before")).isEqualTo("before");
    for (int i = 0; i < 5; i++) {
      sockets.add(idleConnection());
    }
    assertThat(chat.echo("after")).as("the busy connection is still open").isEqualTo("after");
    // Only the newest idle connection is left next to it.
    assertThat(isOpen(sockets.get(3))).isFalse();
    assertThat(isOpen(sockets.get(4))).isTrue();
  }

  @Test
  void whenEveryConnectionIsServingACallTheNewOneIsRefused() throws Exception {
    start(ProductionSettings.builder().maxConnections(1).build());
    Chat chat = new Chat(channel());
    assertThat(chat.echo("busy")).isEqualTo("busy");
    Socket refused = new Socket();
    sockets.add(refused);
    refused.connect(new InetSocketAddress("127.0.0.1", running().getPort()), 5000);
    refused.getOutputStream().write(PREFACE);
    assertThat(isOpen(refused)).isFalse();
    assertThat(chat.echo("still here")).isEqualTo("still here");
  }

  @Test
  void callsPastTheBudgetAreAnsweredResourceExhaustedUntilOneEnds() throws Exception {
    start(ProductionSettings.builder().maxCallsInFlight(1).build());
    ManagedChannel channel = channel();
    Chat chat = new Chat(channel);
    assertThat(chat.echo("holding the only slot")).isEqualTo("holding the only slot");
    Status refused = Status.OK;
    try {
      hello(channel);
    } catch (StatusRuntimeException e) {
      refused = e.getStatus();
    }
    assertThat(refused.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(refused.getDescription()).isEqualTo("server busy: 1 calls in flight");
    // Inside the chain: the access log records the refusal with the code the client got.
    assertThat(
            accessLog
                .await(
                    e -> e.message().contains("example.Greeter/SayHello"), Duration.ofSeconds(10))
                .message())
        .contains(" RESOURCE_EXHAUSTED ");
    chat.end();
    // The slot is free once the server has closed the stream, a moment after the client saw it.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    String reply = null;
    while (reply == null) {
      try {
        reply = hello(channel);
      } catch (StatusRuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(20);
      }
    }
    assertThat(reply).isEqualTo("Hello, limits!");
  }

  @Test
  void theEventLoopsStopWithTheServer() throws Exception {
    Set<Thread> before = eventLoopThreads();
    start(ProductionSettings.defaults());
    assertThat(hello(channel())).isEqualTo("Hello, limits!");
    assertThat(eventLoopThreads()).isNotEqualTo(before);
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    running().shutdown().awaitTermination(5, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    Set<Thread> left = eventLoopThreads();
    while (!before.containsAll(left) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      left = eventLoopThreads();
    }
    left.removeAll(before);
    assertThat(left).as("this server's event loop threads").isEmpty();
  }

  private void start(ProductionSettings settings) throws IOException {
    server = ExampleServer.start("127.0.0.1", 0, TOKEN, new SimpleMeterRegistry(), null, settings);
  }

  private Server running() {
    return Objects.requireNonNull(server, "server not started");
  }

  private ManagedChannel channel() {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", running().getPort()).usePlaintext().build();
    channels.add(channel);
    return channel;
  }

  private static String hello(ManagedChannel channel) {
    return GreeterGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .sayHello(HelloRequest.newBuilder().setName("limits").build())
        .getMessage();
  }

  /** A connection that sends the HTTP/2 preface and then nothing; the server accepted it. */
  private Socket idleConnection() throws Exception {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", running().getPort()), 5000);
    socket.getOutputStream().write(PREFACE);
    // The server's SETTINGS frame: it has accepted and set up the connection.
    socket.setSoTimeout(5000);
    assertThat(socket.getInputStream().read()).isNotNegative();
    Thread.sleep(50); // each connection is older than the next
    return socket;
  }

  /** Reads what the server sent; false when it closed the connection. */
  private static boolean isOpen(Socket socket) throws IOException {
    socket.setSoTimeout(300);
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[4096];
    try {
      while (in.read(buffer) >= 0) {
        // skip frames
      }
      return false;
    } catch (SocketTimeoutException e) {
      return true;
    } catch (IOException e) {
      return false; // reset
    }
  }

  private static Set<Thread> eventLoopThreads() {
    Set<Thread> threads = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive()
          && (t.getName().startsWith("example-worker") || t.getName().startsWith("example-boss"))) {
        threads.add(t);
      }
    }
    return threads;
  }

  /** A Chat stream that stays open: one call in flight on its connection. */
  private static final class Chat {
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final StreamObserver<ChatMessage> requests;

    Chat(ManagedChannel channel) {
      Metadata auth = new Metadata();
      auth.put(
          Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + TOKEN);
      requests =
          UserServiceGrpc.newStub(channel)
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth))
              .chat(
                  new StreamObserver<ChatMessage>() {
                    @Override
                    public void onNext(ChatMessage value) {
                      replies.add(value.getText());
                    }

                    @Override
                    public void onError(Throwable t) {
                      replies.add("error: " + Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                      replies.add("completed");
                    }
                  });
    }

    @Nullable String echo(String text) throws InterruptedException {
      requests.onNext(ChatMessage.newBuilder().setText(text).build());
      return replies.poll(10, TimeUnit.SECONDS);
    }

    void end() throws InterruptedException {
      requests.onCompleted();
      assertThat(replies.poll(10, TimeUnit.SECONDS)).isEqualTo("completed");
    }
  }
}
