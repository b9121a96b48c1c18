package io.github.grpcmiddleware.examples;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelConfig;
import io.grpc.netty.shaded.io.netty.channel.ChannelFactory;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.IoHandlerFactory;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.event.Level;

/**
 * A limit on the connections the server holds at once, which grpc-java does not have.
 *
 * <p>grpc-java exposes no per-connection hook that can close a connection ({@code
 * ServerTransportFilter} only sees attributes), so this uses Netty's own: {@link #applyTo} gives
 * the builder a {@code channelFactory} whose listening channel has one more handler, which sees
 * each accepted connection before grpc-java sets it up. At the limit, a new connection is let in
 * and the connection that has been idle longest (no call in flight, as {@link CallAdmission}
 * reports) is closed; when every connection is serving a call, the new one is closed instead. When
 * idle connections exist but too many evicted ones are still closing (a flood arrives faster than
 * the event loops close), the new connection waits, unregistered, and accepting pauses until a
 * close completes: refusing it then would turn away the very client the eviction is for (a probe
 * right after 2,048 slow connections was refused in 1 of 3 runs before). So a flood of slow or idle
 * connections cannot keep a new client out, and cannot use up the process's file descriptors (what
 * waits is at most one read batch of the listening channel). A failed accept (out of descriptors
 * after all) pauses accepting for a second, as Netty's own acceptor does, with one summarized log
 * line instead of a stack trace each time.
 *
 * <p>A custom channel factory requires the event loops to be given too (grpc-java checks it); they
 * are created here like grpc-java's defaults (epoll when available, else NIO; one acceptor thread;
 * daemon threads), and shut down once the listening channel and every connection have closed.
 *
 * <p>Connections are identified by the client's address, so one server should listen on one
 * address. This class is thread-safe.
 */
final class ConnectionLimit {
  private final int maxConnections;
  // Closed connections hold their descriptor until their event loop gets to them: at most this
  // many may be on their way out before new connections are refused instead.
  private final int maxClosing;
  private final LogSummary log;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final AcceptHandler acceptHandler = new AcceptHandler();

  // guarded by this
  private final Map<SocketAddress, Connection> open = new HashMap<>();
  private final Set<Connection> idle = new LinkedHashSet<>(); // longest idle first
  // Accepted while the closing budget was used up: admitted, in order, as closes complete.
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private int closing;
  private int listeningChannels;
  private boolean everListened;
  private boolean shutDown;

  ConnectionLimit(int maxConnections, LogSummary log) {
    this.maxConnections = maxConnections;
    this.maxClosing = Math.max(1, maxConnections / 8);
    this.log = log;
    IoHandlerFactory io =
        Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.boss =
        new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("example-boss", true), io);
    this.workers =
        new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("example-worker", true), io);
  }

  /** Sets the channel factory and the event loops of {@code builder}. */
  NettyServerBuilder applyTo(NettyServerBuilder builder) {
    boolean epoll = Epoll.isAvailable();
    ChannelFactory<ServerChannel> factory =
        () -> {
          ServerChannel channel =
              epoll ? new EpollServerSocketChannel() : new NioServerSocketChannel();
          channel.pipeline().addLast("example-connection-limit", acceptHandler);
          synchronized (this) {
            listeningChannels++;
            everListened = true;
          }
          var unused = channel.closeFuture().addListener(f -> listeningClosed());
          return channel;
        };
    return builder.channelFactory(factory).bossEventLoopGroup(boss).workerEventLoopGroup(workers);
  }

  /** A call was admitted on the connection from {@code remote}. */
  synchronized void callStarted(SocketAddress remote) {
    Connection c = open.get(remote);
    if (c != null && c.calls++ == 0) {
      idle.remove(c);
    }
  }

  /** A call admitted on the connection from {@code remote} ended. */
  synchronized void callEnded(SocketAddress remote) {
    Connection c = open.get(remote);
    if (c != null && --c.calls == 0) {
      idle.add(c); // most recently active: closed last
    }
  }

  /** Connections open now. */
  synchronized int open() {
    return open.size();
  }

  /** What {@link #decide} chose for a connection just accepted. */
  private enum Decision {
    ADMIT,
    REFUSE,
    WAIT
  }

  /**
   * Decides on a connection just accepted (or waiting), on the listening channel's event loop, and
   * sets it up when admitted. A connection that must wait is queued; so is every later one until
   * those before it are decided, to keep their order.
   */
  private Decision decide(ChannelHandlerContext listener, Channel child, boolean fromQueue) {
    SocketAddress remote = child.remoteAddress();
    @Nullable Connection victim = null;
    @Nullable Connection c = new Connection(remote);
    synchronized (this) {
      if (!fromQueue && !waiting.isEmpty()) {
        waiting.add(new Waiting(listener, child));
        return Decision.WAIT;
      }
      if (open.size() >= maxConnections) {
        Iterator<Connection> longestIdle = idle.iterator();
        if (!longestIdle.hasNext()) {
          c = null;
        } else if (closing >= maxClosing) {
          if (!fromQueue) {
            waiting.add(new Waiting(listener, child));
          }
          return Decision.WAIT;
        } else {
          victim = longestIdle.next();
          longestIdle.remove();
          open.remove(victim.remote);
          victim.evicted = true;
          closing++;
        }
      }
      if (c != null) {
        open.put(remote, c);
        idle.add(c);
      }
    }
    if (c == null) {
      refused(remote);
      return Decision.REFUSE;
    }
    if (victim != null) {
      victim.closeNow();
      evicted(victim.remote);
    }
    Connection admitted = c;
    // First in the connection's pipeline, before grpc-java's handlers: see closeNow.
    child.pipeline().addFirst("example-connection-limit", admitted);
    var unused = child.closeFuture().addListener(f -> closed(admitted));
    return Decision.ADMIT;
  }

  /**
   * Decides on the waiting connections, in order, on their listening channel's event loop, until
   * one must wait again; accepting resumes when none is left.
   */
  private void decideWaiting() {
    while (true) {
      Waiting next;
      synchronized (this) {
        next = waiting.peek();
      }
      if (next == null) {
        return;
      }
      if (!next.listener.executor().inEventLoop()) {
        next.listener.executor().execute(this::decideWaiting);
        return;
      }
      Decision decision = decide(next.listener, next.child, true);
      if (decision == Decision.WAIT) {
        return;
      }
      boolean resume;
      synchronized (this) {
        waiting.remove();
        resume = waiting.isEmpty();
      }
      if (decision == Decision.ADMIT) {
        next.listener.fireChannelRead(next.child);
      } else {
        next.child.unsafe().closeForcibly();
      }
      if (resume) {
        next.listener.channel().config().setAutoRead(true); // reads again at once
      }
    }
  }

  private void closed(Connection c) {
    boolean decide;
    synchronized (this) {
      if (c.evicted) {
        closing--;
      } else if (open.get(c.remote) == c) {
        open.remove(c.remote);
      }
      idle.remove(c);
      decide = !waiting.isEmpty();
    }
    if (decide) {
      decideWaiting();
    }
    shutDownWhenDone();
  }

  private void listeningClosed() {
    List<Waiting> dropped;
    synchronized (this) {
      listeningChannels--;
      dropped = new ArrayList<>(waiting);
      waiting.clear();
    }
    for (Waiting w : dropped) {
      w.child.unsafe().closeForcibly(); // never registered: nothing else would close it
    }
    shutDownWhenDone();
  }

  private void shutDownWhenDone() {
    synchronized (this) {
      if (shutDown
          || !everListened
          || listeningChannels > 0
          || !open.isEmpty()
          || closing > 0
          || !waiting.isEmpty()) {
        return;
      }
      shutDown = true;
    }
    // Netty's default quiet period (2 s): this runs while the listening channel's close completes,
    // and grpc-java adds its own listener to that close right after; a loop that stopped at once
    // would reject that listener's task, and NettyServer.shutdown() would wait for it for ever.
    var unusedBoss = boss.shutdownGracefully();
    var unusedWorkers = workers.shutdownGracefully();
  }

  private void evicted(SocketAddress remote) {
    log.event(
        "connection-evicted",
        Level.WARN,
        "idle connections closed at the connection limit",
        () ->
            "connection limit "
                + maxConnections
                + " reached: closed the longest idle connection ("
                + LogText.escape(String.valueOf(remote))
                + ") to let a new one in");
  }

  private void refused(SocketAddress remote) {
    log.event(
        "connection-refused",
        Level.WARN,
        "new connections refused at the connection limit",
        () ->
            "connection limit "
                + maxConnections
                + " reached and no idle connection can be closed now: refused "
                + LogText.escape(String.valueOf(remote)));
  }

  /** A connection accepted while the closing budget was used up, and where it came in. */
  private static final class Waiting {
    final ChannelHandlerContext listener;
    final Channel child;

    Waiting(ChannelHandlerContext listener, Channel child) {
      this.listener = listener;
      this.child = child;
    }
  }

  /** One open connection; also the first handler of its pipeline. */
  private static final class Connection extends ChannelInboundHandlerAdapter {
    final SocketAddress remote;
    int calls; // guarded by the ConnectionLimit
    boolean evicted; // guarded by the ConnectionLimit
    private @Nullable ChannelHandlerContext context; // guarded by this handler
    private boolean closing; // guarded by this handler

    Connection(SocketAddress remote) {
      this.remote = remote;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      boolean close;
      synchronized (this) {
        context = ctx;
        close = closing;
      }
      if (close) { // chosen to be closed before it was even registered
        var unused = ctx.close();
      }
    }

    /**
     * Closes the socket at once, or as soon as the connection is registered with its event loop (a
     * connection accepted a moment ago may not be yet). {@code Channel.close()} would pass through
     * grpc-java's handler, which turns it into a graceful GOAWAY that waits for a PING answer (10 s
     * for a peer that never reads) while the descriptor stays open; closing from the first handler
     * skips it, as if the peer had reset the connection.
     */
    void closeNow() {
      ChannelHandlerContext ctx;
      synchronized (this) {
        closing = true;
        ctx = context;
      }
      if (ctx != null) {
        var unused = ctx.close();
      }
    }
  }

  @ChannelHandler.Sharable
  private final class AcceptHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Channel child = (Channel) msg;
      switch (decide(ctx, child, false)) {
        case ADMIT:
          ctx.fireChannelRead(child);
          break;
        case REFUSE:
          child.unsafe().closeForcibly();
          break;
        case WAIT:
          // Accept no more until the waiting ones are decided (the kernel's backlog holds them).
          ctx.channel().config().setAutoRead(false);
          break;
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ChannelConfig config = ctx.channel().config();
      if (config.isAutoRead()) {
        config.setAutoRead(false);
        var unused =
            ctx.channel().eventLoop().schedule(() -> config.setAutoRead(true), 1, TimeUnit.SECONDS);
      }
      log.event(
          "accept-failed " + cause.getClass().getName(),
          Level.WARN,
          "failed accepts (" + cause.getClass().getSimpleName() + ")",
          () ->
              "accepting a connection failed ("
                  + cause.getClass().getSimpleName()
                  + ": "
                  + LogText.escape(String.valueOf(cause.getMessage()))
                  + "); accepting paused for 1 s");
    }
  }
}
