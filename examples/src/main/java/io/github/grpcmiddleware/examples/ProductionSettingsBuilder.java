package io.github.grpcmiddleware.examples;

import java.time.Duration;
import java.util.Objects;

/**
 * Builds {@link ProductionSettings}; starts from the checklist's values, with the memory budget
 * derived from the running JVM.
 */
public final class ProductionSettingsBuilder {
  final MemoryBudget jvm = MemoryBudget.ofThisJvm();
  int maxConcurrentCallsPerConnection = 100;
  int flowControlWindow = 64 * 1024;
  int maxInboundMessageSize = 64 * 1024;
  int maxCallsInFlight; // 0: derived from MaxDirectMemorySize
  int maxConnections; // 0: derived from the heap and the descriptor limit
  Duration logSummaryInterval = TransportLogLimiter.DEFAULT_INTERVAL;
  boolean callsInFlightSet;
  boolean connectionsSet;
  int maxInboundMetadataSize = 8 * 1024;
  Duration handshakeTimeout = Duration.ofSeconds(10);
  Duration maxConnectionIdle = Duration.ofMinutes(5);
  Duration maxConnectionAge = Duration.ofMinutes(30);
  Duration maxConnectionAgeGrace = Duration.ofSeconds(30);
  Duration keepAliveTime = Duration.ofMinutes(1);
  Duration keepAliveTimeout = Duration.ofSeconds(20);
  Duration permitKeepAliveTime = Duration.ofSeconds(30);
  int maxRstFrames = 200;
  Duration rstFramesWindow = Duration.ofSeconds(30);
  int executorThreads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

  ProductionSettingsBuilder() {}

  /**
   * Sets the streams one connection may have open at once (default 100).
   *
   * @param max the limit; at least 1
   * @return this builder
   */
  public ProductionSettingsBuilder maxConcurrentCallsPerConnection(int max) {
    this.maxConcurrentCallsPerConnection = max;
    return this;
  }

  /**
   * Sets the HTTP/2 flow-control window of each stream, fixed (default 64 KiB, the HTTP/2 default;
   * grpc-java's is 1 MiB, grown by its bandwidth probe up to 8 MiB). It bounds what a client can
   * send that the service has not asked for yet.
   *
   * @param bytes the window; at least 1
   * @return this builder
   */
  public ProductionSettingsBuilder flowControlWindow(int bytes) {
    this.flowControlWindow = bytes;
    return this;
  }

  /**
   * Sets the largest request message accepted (default 64 KiB; grpc-java's is 4 MiB). A call whose
   * message is incomplete holds up to this much.
   *
   * @param bytes the limit; at least 1
   * @return this builder
   */
  public ProductionSettingsBuilder maxInboundMessageSize(int bytes) {
    this.maxInboundMessageSize = bytes;
    return this;
  }

  /**
   * Sets how many calls the service may run at once, server-wide (default: half of {@code
   * -XX:MaxDirectMemorySize} divided by what one call may hold: window + message + 32 KiB).
   *
   * @param max the limit; at least 1
   * @return this builder
   */
  public ProductionSettingsBuilder maxCallsInFlight(int max) {
    this.maxCallsInFlight = max;
    this.callsInFlightSet = true;
    return this;
  }

  /**
   * Sets how many connections the server holds at once (default: what a quarter of the heap holds
   * at 8 KiB each, at most three quarters of the free file descriptors). At the limit a new
   * connection replaces the longest idle one, or is closed when all are serving calls.
   *
   * @param max the limit; at least 1
   * @return this builder
   */
  public ProductionSettingsBuilder maxConnections(int max) {
    this.maxConnections = max;
    this.connectionsSet = true;
    return this;
  }

  /**
   * Sets how often grpc-java's own log records of one kind, and the connection limit's, may be
   * written; the rest are counted and the count is written at the end of the interval (default 10
   * s).
   *
   * @param interval the interval; positive
   * @return this builder
   */
  public ProductionSettingsBuilder logSummaryInterval(Duration interval) {
    this.logSummaryInterval = Objects.requireNonNull(interval, "interval");
    return this;
  }

  /**
   * Sets the largest request header list accepted (default 8 KiB, grpc-java's own).
   *
   * @param bytes the limit; at least 1
   * @return this builder
   */
  public ProductionSettingsBuilder maxInboundMetadataSize(int bytes) {
    this.maxInboundMetadataSize = bytes;
    return this;
  }

  /**
   * Sets how long a new connection may take to send the HTTP/2 preface and its first SETTINGS (TLS
   * included) (default 10 s; grpc-java's is 120 s).
   *
   * @param timeout the timeout; positive
   * @return this builder
   */
  public ProductionSettingsBuilder handshakeTimeout(Duration timeout) {
    this.handshakeTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /**
   * Sets how long a connection with no open call stays open (default 5 min; grpc-java's is forever;
   * grpc-java rounds values under 1 s up to 1 s).
   *
   * @param idle the limit; positive
   * @return this builder
   */
  public ProductionSettingsBuilder maxConnectionIdle(Duration idle) {
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
  public ProductionSettingsBuilder maxConnectionAge(Duration age, Duration grace) {
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
  public ProductionSettingsBuilder keepAlive(Duration time, Duration timeout) {
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
  public ProductionSettingsBuilder permitKeepAliveTime(Duration time) {
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
  public ProductionSettingsBuilder maxRstFramesPerWindow(int max, Duration window) {
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
  public ProductionSettingsBuilder executorThreads(int threads) {
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
    atLeastOne("flowControlWindow", flowControlWindow);
    atLeastOne("maxInboundMessageSize", maxInboundMessageSize);
    if (callsInFlightSet) {
      atLeastOne("maxCallsInFlight", maxCallsInFlight);
    }
    if (connectionsSet) {
      atLeastOne("maxConnections", maxConnections);
    }
    positive("logSummaryInterval", logSummaryInterval);
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
