package io.github.grpcmiddleware.examples;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The transport limits of the production checklist ({@code docs/production.md}), applied to a
 * {@link NettyServerBuilder} in one call so a deployment copies one class instead of a dozen
 * numbers.
 *
 * <p>{@link #defaults()} holds the checklist's values; the builder changes single values (the
 * reliability suite uses it for short timeouts). The memory budget (flow-control window, message
 * size, calls in flight, connections) is derived from the JVM's {@code -XX:MaxDirectMemorySize},
 * {@code -Xmx} and file descriptor limit unless set. This class lives in the examples, not in core,
 * because core must not depend on grpc-netty.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ProductionSettings {
  private final int maxConcurrentCallsPerConnection;
  private final int flowControlWindow;
  private final int maxInboundMessageSize;
  private final int maxCallsInFlight;
  private final int maxConnections;
  private final Duration logSummaryInterval;
  private final int maxInboundMetadataSize;
  private final Duration handshakeTimeout;
  private final Duration maxConnectionIdle;
  private final Duration maxConnectionAge;
  private final Duration maxConnectionAgeGrace;
  private final Duration keepAliveTime;
  private final Duration keepAliveTimeout;
  private final Duration permitKeepAliveTime;
  private final int maxRstFrames;
  private final Duration rstFramesWindow;
  private final int executorThreads;

  ProductionSettings(ProductionSettingsBuilder b) {
    maxConcurrentCallsPerConnection = b.maxConcurrentCallsPerConnection;
    flowControlWindow = b.flowControlWindow;
    maxInboundMessageSize = b.maxInboundMessageSize;
    maxCallsInFlight =
        b.maxCallsInFlight > 0
            ? b.maxCallsInFlight
            : b.jvm.maxCallsInFlight(flowControlWindow, maxInboundMessageSize);
    maxConnections = b.maxConnections > 0 ? b.maxConnections : b.jvm.maxConnections();
    logSummaryInterval = b.logSummaryInterval;
    maxInboundMetadataSize = b.maxInboundMetadataSize;
    handshakeTimeout = b.handshakeTimeout;
    maxConnectionIdle = b.maxConnectionIdle;
    maxConnectionAge = b.maxConnectionAge;
    maxConnectionAgeGrace = b.maxConnectionAgeGrace;
    keepAliveTime = b.keepAliveTime;
    keepAliveTimeout = b.keepAliveTimeout;
    permitKeepAliveTime = b.permitKeepAliveTime;
    maxRstFrames = b.maxRstFrames;
    rstFramesWindow = b.rstFramesWindow;
    executorThreads = b.executorThreads;
  }

  /**
   * The checklist's values, each explained in {@code docs/production.md}.
   *
   * @return the default settings
   */
  public static ProductionSettings defaults() {
    return builder().build();
  }

  /**
   * A builder that starts from the checklist's values.
   *
   * @return a new builder
   */
  public static ProductionSettingsBuilder builder() {
    return new ProductionSettingsBuilder();
  }

  /**
   * Applies every transport limit to {@code builder} (everything but the executor, which the caller
   * owns: see {@link #newExecutor()}): the HTTP/2 and keep-alive settings, the cap on calls in
   * flight (a stream tracer and an interceptor, registered here so that they run inside the chain
   * installed afterwards), the connection limit (a channel factory and its event loops, which stop
   * once the server and its connections have closed), and the rate limit on grpc-java's own log
   * records ({@code TransportLogLimiter}, JVM-wide).
   *
   * @param builder the server builder; not null
   * @return {@code builder}
   */
  public NettyServerBuilder applyTo(NettyServerBuilder builder) {
    Objects.requireNonNull(builder, "builder");
    TransportLogLimiter.install(logSummaryInterval);
    ConnectionLimit connections =
        new ConnectionLimit(maxConnections, TransportLogLimiter.summary());
    CallAdmission admission = new CallAdmission(maxCallsInFlight, connections);
    connections.applyTo(builder);
    return builder
        .addStreamTracerFactory(admission.tracerFactory())
        .intercept(admission.interceptor())
        .maxConcurrentCallsPerConnection(maxConcurrentCallsPerConnection)
        .flowControlWindow(flowControlWindow)
        .maxInboundMessageSize(maxInboundMessageSize)
        .maxInboundMetadataSize(maxInboundMetadataSize)
        .handshakeTimeout(handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .maxConnectionIdle(maxConnectionIdle.toMillis(), TimeUnit.MILLISECONDS)
        .maxConnectionAge(maxConnectionAge.toMillis(), TimeUnit.MILLISECONDS)
        .maxConnectionAgeGrace(maxConnectionAgeGrace.toMillis(), TimeUnit.MILLISECONDS)
        .keepAliveTime(keepAliveTime.toMillis(), TimeUnit.MILLISECONDS)
        .keepAliveTimeout(keepAliveTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .permitKeepAliveTime(permitKeepAliveTime.toMillis(), TimeUnit.MILLISECONDS)
        .permitKeepAliveWithoutCalls(false)
        .maxRstFramesPerWindow(maxRstFrames, (int) rstFramesWindow.getSeconds());
  }

  /**
   * A new fixed-size pool for the server's calls, with named daemon threads. Its queue holds at
   * most one task per active call (grpc-java serializes each call's callbacks), so its length is
   * bounded by {@code maxConcurrentCallsPerConnection} times the number of connections.
   *
   * @return a new executor; the caller shuts it down
   */
  public ExecutorService newExecutor() {
    AtomicInteger threadNumber = new AtomicInteger();
    return new ThreadPoolExecutor(
        executorThreads,
        executorThreads,
        0,
        TimeUnit.MILLISECONDS,
        new LinkedBlockingQueue<>(),
        task -> {
          Thread thread = new Thread(task, "grpc-call-" + threadNumber.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
  }

  /**
   * Streams one connection may have open at once; more are refused with {@code REFUSED_STREAM}.
   *
   * @return the limit
   */
  public int maxConcurrentCallsPerConnection() {
    return maxConcurrentCallsPerConnection;
  }

  /**
   * The HTTP/2 flow-control window of each stream, in bytes.
   *
   * @return the window
   */
  public int flowControlWindow() {
    return flowControlWindow;
  }

  /**
   * The largest request message accepted, in bytes.
   *
   * @return the limit
   */
  public int maxInboundMessageSize() {
    return maxInboundMessageSize;
  }

  /**
   * Calls the service may run at once, server-wide; more are answered {@code RESOURCE_EXHAUSTED}.
   *
   * @return the limit
   */
  public int maxCallsInFlight() {
    return maxCallsInFlight;
  }

  /**
   * Connections the server holds at once.
   *
   * @return the limit
   */
  public int maxConnections() {
    return maxConnections;
  }

  /**
   * The memory budget these settings give, in one line for the server's start-up log.
   *
   * @return a description with the per-call and total bounds
   */
  public String describeBudget() {
    long perCall = MemoryBudget.perCallBytes(flowControlWindow, maxInboundMessageSize);
    MemoryBudget jvm = MemoryBudget.ofThisJvm();
    return String.format(
        java.util.Locale.ROOT,
        "at most %d connections, %d calls in flight (%d per connection), %d KiB held per call"
            + " (window %d KiB + message %d KiB + outbound %d KiB): %d MiB for calls, of"
            + " MaxDirectMemorySize %d MiB; heap %d MiB; file descriptors %d",
        maxConnections,
        maxCallsInFlight,
        maxConcurrentCallsPerConnection,
        perCall / 1024,
        flowControlWindow / 1024,
        maxInboundMessageSize / 1024,
        MemoryBudget.OUTBOUND_PER_CALL / 1024,
        (perCall * maxCallsInFlight + 1024 * 1024 - 1) / (1024 * 1024),
        jvm.maxDirectMemory() / (1024 * 1024),
        jvm.maxHeap() / (1024 * 1024),
        jvm.maxFileDescriptors());
  }

  /**
   * How long a connection with no open call stays open.
   *
   * @return the idle limit
   */
  public Duration maxConnectionIdle() {
    return maxConnectionIdle;
  }

  /**
   * The number of threads of {@link #newExecutor()}.
   *
   * @return the thread count
   */
  public int executorThreads() {
    return executorThreads;
  }
}
