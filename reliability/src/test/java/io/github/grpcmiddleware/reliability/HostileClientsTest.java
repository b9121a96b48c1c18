package io.github.grpcmiddleware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.examples.ExampleServer;
import io.github.grpcmiddleware.examples.ProductionSettings;
import io.github.grpcmiddleware.examples.proto.ChatMessage;
import io.github.grpcmiddleware.examples.proto.GreeterGrpc;
import io.github.grpcmiddleware.examples.proto.HelloRequest;
import io.github.grpcmiddleware.examples.proto.UserServiceGrpc;
import io.github.grpcmiddleware.logging.AccessLog;
import io.github.grpcmiddleware.testing.LogCapture;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The attacks hostile clients made on the example server, each in bounded form over Netty on
 * 127.0.0.1, against the server {@link ExampleServer} starts with its {@link ProductionSettings}
 * (timeouts shortened where a test waits for them). Each test prints the figure the lead's note
 * quotes ("figure: ...").
 */
class HostileClientsTest {
  private static final String TOKEN = "demo-token";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private @Nullable Server server;
  private @Nullable ManagedChannel channel;

  @RegisterExtension
  final LogCapture examplesLog = LogCapture.forLogger("io.github.grpcmiddleware.examples");

  @RegisterExtension
  final LogCapture accessLog = LogCapture.forLogger(AccessLog.SERVER_LOGGER_NAME);

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private int start(ProductionSettings settings) throws IOException {
    Server s =
        ExampleServer.start("127.0.0.1", 0, TOKEN, new SimpleMeterRegistry(), null, settings);
    server = s;
    return s.getPort();
  }

  @Test
  void neverReadingChatClientCannotGrowServerMemory() throws Exception {
    int port = start(ProductionSettings.defaults());
    examplesLog.clear(); // what the server logs from here on
    // The client's window is one byte and it never asks for a message: the server can send it
    // nothing. It keeps sending 4 KiB messages as long as the server lets it.
    ManagedChannel ch =
        NettyChannelBuilder.forAddress("127.0.0.1", port)
            .usePlaintext()
            .initialFlowControlWindow(1)
            .build();
    channel = ch;
    Metadata auth = new Metadata();
    auth.put(Rpc.ascii("authorization"), "Bearer " + TOKEN);
    GreeterGrpc.newBlockingStub(ch).sayHello(HelloRequest.newBuilder().setName("warm-up").build());
    long before = usedMemory();

    int max = Scale.of(8000);
    ChatMessage message = ChatMessage.newBuilder().setText("x".repeat(4096)).build();
    Semaphore readySignals = new Semaphore(0);
    AtomicReference<@Nullable ClientCallStreamObserver<ChatMessage>> requests =
        new AtomicReference<>();
    UserServiceGrpc.newStub(ch)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth))
        .chat(
            new ClientResponseObserver<ChatMessage, ChatMessage>() {
              @Override
              public void beforeStart(ClientCallStreamObserver<ChatMessage> requestStream) {
                requestStream.disableAutoRequestWithInitial(0);
                requestStream.setOnReadyHandler(readySignals::release);
                requests.set(requestStream);
              }

              @Override
              public void onNext(ChatMessage value) {}

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            });
    ClientCallStreamObserver<ChatMessage> out = requests.get();
    assertThat(out).isNotNull();
    int sent = 0;
    while (sent < max) {
      if (out.isReady()) {
        out.onNext(message);
        sent++;
      } else if (!readySignals.tryAcquire(1, TimeUnit.SECONDS)) {
        break; // the server stopped reading: flow control holds the client back
      }
    }
    long growth = usedMemory() - before;
    long taken = count(examplesLog, "Chat: echo");
    System.out.printf(
        "figure: never-reading chat client: sent %d of %d messages of 4 KiB, server took %d,"
            + " server memory growth %d KiB%n",
        sent, max, taken, growth / 1024);
    out.cancel("done", null);

    assertThat(sent).as("messages the client could send").isLessThan(max);
    assertThat(taken).as("messages the handler took in").isLessThan(64);
    assertThat(growth).as("heap + direct growth, bytes").isLessThan(16L * 1024 * 1024);
  }

  @Test
  void rapidResetGetsGoAwayEnhanceYourCalm() throws Exception {
    int port = start(ProductionSettings.defaults());
    accessLog.clear();
    int pairs = 0;
    try (RawHttp2 raw = RawHttp2.connect(port, true)) {
      raw.preface();
      byte[] block = RawHttp2.requestHeaders("/example.Greeter/SayHello");
      // Batches of 10 pairs, each followed by a SETTINGS round trip: the server reads a batch
      // whole,
      // so it never closes with unread bytes (which would reset the socket and lose the GOAWAY).
      int total = Scale.of(2000);
      while (pairs < total && !raw.goAwayReceived()) {
        for (int i = 0; i < 10; i++, pairs++) {
          int stream = 1 + 2 * pairs;
          raw.headers(stream, block, true, false);
          raw.rstStream(stream, RawHttp2.CANCEL);
        }
        if (!raw.barrier(WAIT)) {
          break;
        }
      }
      RawHttp2.Frame goAway =
          raw.await(
              f -> f.type() == RawHttp2.GOAWAY && f.errorCode() == RawHttp2.ENHANCE_YOUR_CALM,
              WAIT);
      boolean closed = raw.awaitClosed(WAIT);
      stopServer();
      System.out.printf(
          "figure: rapid reset: %d HEADERS+RST_STREAM pairs sent, GOAWAY ENHANCE_YOUR_CALM %s,"
              + " connection closed %s (%s), %d access-log lines; GOAWAY codes %s%n",
          pairs,
          goAway != null,
          closed,
          raw.closeReason(),
          accessLog.events().size(),
          raw.received(RawHttp2.GOAWAY).stream()
              .map(
                  f ->
                      f.errorCode()
                          + ":"
                          + new String(
                              f.payload(),
                              8,
                              f.payload().length - 8,
                              java.nio.charset.StandardCharsets.UTF_8))
              .toList());
      assertThat(goAway).as("GOAWAY ENHANCE_YOUR_CALM").isNotNull();
      assertThat(closed).as("connection closed").isTrue();
      // Every stream the server accepted before the GOAWAY is one call, logged once.
      assertThat(accessLog.events().size()).as("access-log lines").isLessThanOrEqualTo(200 + 10);
    }
  }

  @Test
  void silentConnectionIsClosedAtTheHandshakeTimeout() throws Exception {
    int port = start(ProductionSettings.builder().handshakeTimeout(Duration.ofMillis(300)).build());
    long start = System.nanoTime();
    try (RawHttp2 raw = RawHttp2.connect(port, true)) {
      boolean closed = raw.awaitClosed(WAIT);
      System.out.printf(
          "figure: silent TCP connection (no preface): closed %s (%s) after %d ms%n",
          closed, raw.closeReason(), (System.nanoTime() - start) / 1_000_000);
      assertThat(closed).as("closed by the server").isTrue();
    }
  }

  @Test
  void idleConnectionIsClosedAtMaxConnectionIdle() throws Exception {
    int port = start(ProductionSettings.builder().maxConnectionIdle(Duration.ofSeconds(1)).build());
    try (RawHttp2 raw = RawHttp2.connect(port, true)) {
      raw.preface();
      long start = System.nanoTime();
      boolean closed = raw.awaitClosed(WAIT);
      System.out.printf(
          "figure: idle connection that answers pings: GOAWAY %s, closed %s after %d ms%n",
          raw.goAwayReceived(), closed, (System.nanoTime() - start) / 1_000_000);
      assertThat(raw.goAwayReceived()).as("GOAWAY before the close").isTrue();
      assertThat(closed).as("closed by the server").isTrue();
    }
  }

  @Test
  void neverFinishingHeaderBlockFromALivePeerIsClosedAtMaxConnectionIdle() throws Exception {
    int port = start(ProductionSettings.builder().maxConnectionIdle(Duration.ofSeconds(1)).build());
    neverFinishingHeaderBlock(port, true, "answers pings");
  }

  @Test
  void neverFinishingHeaderBlockFromADeadPeerIsClosedByKeepAlive() throws Exception {
    // grpc-java raises keep-alive times under 10 s to 10 s, the one long wait of this suite. (Idle
    // would take longer: its graceful GOAWAY waits 10 s for a PING ACK that never comes.)
    int port =
        start(
            ProductionSettings.builder()
                .keepAlive(Duration.ofSeconds(10), Duration.ofMillis(300))
                .build());
    neverFinishingHeaderBlock(port, false, "never answers");
  }

  private static void neverFinishingHeaderBlock(int port, boolean answerPings, String peer)
      throws Exception {
    try (RawHttp2 raw = RawHttp2.connect(port, answerPings)) {
      raw.preface();
      // The server's SETTINGS is acked first (an ACK after the partial block would be a protocol
      // error, and the server would close the connection for that instead).
      assertThat(raw.barrier(WAIT)).isTrue();
      byte[] block = RawHttp2.requestHeaders("/example.Greeter/SayHello");
      // Half of the header block, no END_HEADERS, and no CONTINUATION ever.
      raw.headers(1, java.util.Arrays.copyOf(block, block.length / 2), false, false);
      raw.flush();
      long start = System.nanoTime();
      boolean closed = raw.awaitClosed(WAIT.plusSeconds(5));
      System.out.printf(
          "figure: never-finishing HEADERS, peer %s: closed %s (%s, GOAWAY %s) after %d ms%n",
          peer,
          closed,
          raw.closeReason(),
          raw.received(RawHttp2.GOAWAY).stream().map(f -> f.errorCode()).toList(),
          (System.nanoTime() - start) / 1_000_000);
      assertThat(closed).as("closed by the server").isTrue();
    }
  }

  @Test
  void streamsPastTheLimitAreRefused() throws Exception {
    int limit = 5;
    int port = start(ProductionSettings.builder().maxConcurrentCallsPerConnection(limit).build());
    try (RawHttp2 raw = RawHttp2.connect(port, true)) {
      raw.preface();
      RawHttp2.Frame settings =
          raw.await(f -> f.type() == RawHttp2.SETTINGS && (f.flags() & RawHttp2.ACK) == 0, WAIT);
      assertThat(settings).isNotNull();
      long advertised = settings.setting(RawHttp2.SETTINGS_MAX_CONCURRENT_STREAMS);
      // The reader acked the server's SETTINGS; a round trip shows the server applied them.
      assertThat(raw.barrier(WAIT)).isTrue();
      byte[] block = RawHttp2.requestHeaders("/example.Greeter/SayHello");
      int opened = limit + 3;
      for (int i = 0; i < opened; i++) {
        raw.headers(1 + 2 * i, block, true, false); // never sends the request: stays open
      }
      // Frames are answered in order: once this round trip is done, every RST_STREAM is here.
      assertThat(raw.barrier(WAIT)).isTrue();
      List<RawHttp2.Frame> resets = raw.received(RawHttp2.RST_STREAM);
      System.out.printf(
          "figure: %d streams opened on one connection with limit %d: MAX_CONCURRENT_STREAMS %d"
              + " (-1: none), %d refused%n",
          opened, limit, advertised, resets.size());
      assertThat(advertised).isEqualTo(limit);
      assertThat(resets).hasSize(opened - limit);
      assertThat(resets)
          .allSatisfy(f -> assertThat(f.errorCode()).isEqualTo(RawHttp2.REFUSED_STREAM));
      assertThat(resets)
          .extracting(RawHttp2.Frame::streamId)
          .allSatisfy(id -> assertThat(id).isGreaterThan(2 * limit));
    }
  }

  private void stopServer() throws InterruptedException {
    Server s = server;
    if (s != null) {
      s.shutdown().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static long count(LogCapture log, String prefix) {
    return log.events().stream().filter(e -> e.message().startsWith(prefix)).count();
  }

  /** Heap in use after a full collection, plus NIO direct buffers (where Netty's pool lives). */
  private static long usedMemory() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if ("direct".equals(pool.getName())) {
        used += pool.getMemoryUsed();
      }
    }
    return used;
  }
}
