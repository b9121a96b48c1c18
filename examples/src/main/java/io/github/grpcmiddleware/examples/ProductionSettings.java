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
 * reliability suite uses it for short timeouts). This class lives in the examples, not in core,
 * because core must not depend on grpc-netty.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ProductionSettings {
  private final int maxConcurrentCallsPerConnection;
  private final int maxInboundMessageSize;
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

  private ProductionSettings(Builder b) {
    maxConcurrentCallsPerConnection = b.maxConcurrentCallsPerConnection;
    maxInboundMessageSize = b.maxInboundMessageSize;
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
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Applies every transport limit to {@code builder} (everything but the executor, which the caller
   * owns: see {@link #newExecutor()}).
   *
   * @param builder the server builder; not null
   * @return {@code builder}
   */
  public NettyServerBuilder applyTo(NettyServerBuilder builder) {
    Objects.requireNonNull(builder, "builder");
    return builder
        .maxConcurrentCallsPerConnection(maxConcurrentCallsPerConnection)
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

  /** Builds {@link ProductionSettings}; starts from the checklist's values. */
  public static final class Builder {
    private int maxConcurrentCallsPerConnection = 100;
    private int maxInboundMessageSize = 1024 * 1024;
    private int maxInboundMetadataSize = 8 * 1024;
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Duration maxConnectionIdle = Duration.ofMinutes(5);
    private Duration maxConnectionAge = Duration.ofMinutes(30);
    private Duration maxConnectionAgeGrace = Duration.ofSeconds(30);
    private Duration keepAliveTime = Duration.ofMinutes(1);
    private Duration keepAliveTimeout = Duration.ofSeconds(20);
    private Duration permitKeepAliveTime = Duration.ofSeconds(30);
    private int maxRstFrames = 200;
    private Duration rstFramesWindow = Duration.ofSeconds(30);
    private int executorThreads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

    private Builder() {}

    /**
     * Sets the streams one connection may have open at once (default 100).
     *
     * @param max the limit; at least 1
     * @return this builder
     */
    public Builder maxConcurrentCallsPerConnection(int max) {
      this.maxConcurrentCallsPerConnection = max;
      return this;
    }

    /**
     * Sets the largest request message accepted (default 1 MiB; grpc-java's is 4 MiB).
     *
     * @param bytes the limit; at least 1
     * @return this builder
     */
    public Builder maxInboundMessageSize(int bytes) {
      this.maxInboundMessageSize = bytes;
      return this;
    }

    /**
     * Sets the largest request header list accepted (default 8 KiB, grpc-java's own).
     *
     * @param bytes the limit; at least 1
     * @return this builder
     */
    public Builder maxInboundMetadataSize(int bytes) {
      this.maxInboundMetadataSize = bytes;
      return this;
    }

    /**
     * Sets how long a new connection may take to send the HTTP/2 preface and its first SETTINGS
     * (TLS included) (default 10 s; grpc-java's is 120 s).
     *
     * @param timeout the timeout; positive
     * @return this builder
     */
    public Builder handshakeTimeout(Duration timeout) {
      this.handshakeTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Sets how long a connection with no open call stays open (default 5 min; grpc-java's is
     * forever; grpc-java rounds values under 1 s up to 1 s).
     *
     * @param idle the limit; positive
     * @return this builder
     */
    public Builder maxConnectionIdle(Duration idle) {
      this.maxConnectionIdle = Objects.requireNonNull(idle, "idle");
      return this;
    }

    /**
     * Sets the age after which a connection is asked to go away, and the grace its open calls then
     * get before it is closed (defaults 30 min and 30 s; grpc-java's are forever).
     *
     * @param age the age; positive
     * @param grace the grace; not negative
     * @return this builder
     */
    public Builder maxConnectionAge(Duration age, Duration grace) {
      this.maxConnectionAge = Objects.requireNonNull(age, "age");
      this.maxConnectionAgeGrace = Objects.requireNonNull(grace, "grace");
      return this;
    }

    /**
     * Sets when the server pings a quiet connection, and how long it waits for the answer before
     * closing it (defaults 1 min and 20 s; grpc-java's are 2 h and 20 s).
     *
     * @param time the quiet time before a ping; positive
     * @param timeout the wait for the answer; positive
     * @return this builder
     */
    public Builder keepAlive(Duration time, Duration timeout) {
      this.keepAliveTime = Objects.requireNonNull(time, "time");
      this.keepAliveTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Sets the shortest interval between a client's keep-alive pings the server accepts; faster
     * pingers get GOAWAY {@code too_many_pings} (default 30 s; grpc-java's is 5 min).
     *
     * @param time the interval; not negative
     * @return this builder
     */
    public Builder permitKeepAliveTime(Duration time) {
      this.permitKeepAliveTime = Objects.requireNonNull(time, "time");
      return this;
    }

    /**
     * Sets how many RST_STREAM frames a connection may send per window before it is closed with
     * GOAWAY {@code ENHANCE_YOUR_CALM} (rapid reset, CVE-2023-44487) (default 200 per 30 s;
     * grpc-java's is no limit).
     *
     * @param max the frames per window; at least 1
     * @param window the window, in whole seconds; at least 1 s
     * @return this builder
     */
    public Builder maxRstFramesPerWindow(int max, Duration window) {
      this.maxRstFrames = max;
      this.rstFramesWindow = Objects.requireNonNull(window, "window");
      return this;
    }

    /**
     * Sets the number of call threads (default twice the processors, at least 4).
     *
     * @param threads the thread count; at least 1
     * @return this builder
     */
    public Builder executorThreads(int threads) {
      this.executorThreads = threads;
      return this;
    }

    /**
     * Builds the settings.
     *
     * @return the settings
     * @throws IllegalArgumentException when a value is out of range; the message names it
     */
    public ProductionSettings build() {
      atLeastOne("maxConcurrentCallsPerConnection", maxConcurrentCallsPerConnection);
      atLeastOne("maxInboundMessageSize", maxInboundMessageSize);
      atLeastOne("maxInboundMetadataSize", maxInboundMetadataSize);
      atLeastOne("maxRstFrames", maxRstFrames);
      atLeastOne("executorThreads", executorThreads);
      positive("handshakeTimeout", handshakeTimeout);
      positive("maxConnectionIdle", maxConnectionIdle);
      positive("maxConnectionAge", maxConnectionAge);
      positive("keepAliveTime", keepAliveTime);
      positive("keepAliveTimeout", keepAliveTimeout);
      notNegative("maxConnectionAgeGrace", maxConnectionAgeGrace);
      notNegative("permitKeepAliveTime", permitKeepAliveTime);
      if (rstFramesWindow.getSeconds() < 1) {
        throw new IllegalArgumentException(
            "rstFramesWindow: " + rstFramesWindow + " (expected: >= 1 s)");
      }
      return new ProductionSettings(this);
    }

    private static void atLeastOne(String name, int value) {
      if (value < 1) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
      }
    }

    private static void positive(String name, Duration value) {
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
      }
    }

    private static void notNegative(String name, Duration value) {
      if (value.isNegative()) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
      }
    }
  }
}
