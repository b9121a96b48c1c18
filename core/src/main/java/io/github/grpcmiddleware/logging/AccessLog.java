package io.github.grpcmiddleware.logging;

import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Entry point for the access log: one SLF4J line per call when it ends, on the server and on the
 * client.
 *
 * <p>Each line carries the full method name, the RPC kind, the status code the caller received, the
 * duration, the peer address, the trace id, the principal (server, when auth recorded one), the
 * number of messages received and sent, the user agent (server), and the class of the exception
 * error mapping turned into the status (server, when it mapped one; never its message). Payloads,
 * status descriptions and credentials are never logged. Values a caller controls (the method name
 * of an unknown method, the user agent, a principal's name) are written bare only when they are
 * printable ASCII without space, quote, backslash or {@code =}; otherwise quoted, with {@code "}
 * and a backslash escaped and other characters as a backslash, {@code u} and four hex digits, so no
 * value can add a field or a line. The key-value pairs carry the values unescaped (the user agent
 * cut to 256 characters). With SLF4J 2 the same fields are also attached as key-value pairs (for
 * JSON encoders); with SLF4J 1.7 only the readable message is written. When the chosen level is
 * disabled nothing is built. When the logger cannot write any level the access log uses (for
 * example it is set to OFF), the interceptors leave calls untouched and cost next to nothing; this
 * is checked on every call, so turning the logger back on takes effect with the next call.
 *
 * <p>On the server the interceptor sits just inside the trace part and outside locale, error
 * mapping and auth, and reads the principal and the mapped exception from the call's scope, which
 * every part of the library shares. Install it (in a chain, or alone) with {@code
 * ServerChain.install(serverBuilder, interceptor)}: the status in the line is then the one the
 * transport sent, also for calls grpc-java closes itself past every interceptor (a request that
 * does not decode, a response that fails to serialize), and calls to methods the server does not
 * know get a line too (kind {@code UNKNOWN}). Registered with a bare {@code
 * ServerBuilder.intercept}, it logs the status the chain's outermost part saw closing the call, and
 * {@code UNKNOWN} for a call that completed without a close it could see (never {@code OK}); it
 * cannot see unknown methods.
 *
 * <p>This class is thread-safe.
 */
public final class AccessLog {

  /** Name of the logger server lines go to unless {@link Builder#logger} replaces it. */
  public static final String SERVER_LOGGER_NAME = "io.github.grpcmiddleware.access.server";

  /** Name of the logger client lines go to unless {@link Builder#logger} replaces it. */
  public static final String CLIENT_LOGGER_NAME = "io.github.grpcmiddleware.access.client";

  private AccessLog() {}

  /**
   * Returns a builder for the server interceptor.
   *
   * @return a new builder with the default levels, no slow-call threshold and every method logged
   */
  public static ServerBuilder serverBuilder() {
    return new ServerBuilder();
  }

  /**
   * Returns a builder for the client interceptor.
   *
   * @return a new builder with the default levels, no slow-call threshold and every method logged
   */
  public static ClientBuilder clientBuilder() {
    return new ClientBuilder();
  }

  /**
   * Settings shared by the server and client access log.
   *
   * <p>Default levels: INFO for every code except {@code INTERNAL}, {@code UNKNOWN} and {@code
   * DATA_LOSS}, which are WARN (error mapping already logs the exception itself at ERROR, so a
   * failure gives one ERROR line). Not thread-safe; {@code build()} copies what it needs.
   *
   * @param <B> the concrete builder type
   */
  public abstract static class Builder<B extends Builder<B>> {
    private final String defaultLoggerName;
    private @Nullable Logger logger;
    private final Map<Status.Code, @Nullable Level> levels = new EnumMap<>(Status.Code.class);
    private @Nullable Duration slowCallThreshold;
    private Level slowCallLevel = Level.WARN;
    private MethodSelector excluded = MethodSelector.none();

    Builder(String defaultLoggerName) {
      this.defaultLoggerName = defaultLoggerName;
      for (Status.Code code : Status.Code.values()) {
        levels.put(code, Level.INFO);
      }
      levels.put(Status.Code.INTERNAL, Level.WARN);
      levels.put(Status.Code.UNKNOWN, Level.WARN);
      levels.put(Status.Code.DATA_LOSS, Level.WARN);
    }

    abstract B self();

    /**
     * Sets the logger lines are written to.
     *
     * @param logger the logger; not null
     * @return this builder
     */
    public B logger(Logger logger) {
      this.logger = logger;
      return self();
    }

    /**
     * Sets the level at which calls that ended with {@code code} are logged.
     *
     * @param code the status code; not null
     * @param level the level, or {@code null} to not log such calls at all (unless slow)
     * @return this builder
     */
    public B level(Status.Code code, @Nullable Level level) {
      levels.put(code, level);
      return self();
    }

    /**
     * Logs calls that took at least {@code threshold} at the slow-call level (WARN unless changed)
     * when that is higher than their code's level, and marks them {@code slow}.
     *
     * @param threshold positive; not null
     * @return this builder
     */
    public B slowCallThreshold(Duration threshold) {
      this.slowCallThreshold = threshold;
      return self();
    }

    /**
     * Sets the level of slow calls (see {@link #slowCallThreshold}).
     *
     * @param level the level; not null; default WARN
     * @return this builder
     */
    public B slowCallLevel(Level level) {
      this.slowCallLevel = level;
      return self();
    }

    /**
     * Leaves the selected methods out of the access log; their calls pass through untouched. Use it
     * for noisy methods such as health checks: {@code
     * MethodSelector.of("grpc.health.v1.Health/*")}.
     *
     * @param methods the methods not to log; not null; default none
     * @return this builder
     */
    public B exclude(MethodSelector methods) {
      this.excluded = methods;
      return self();
    }

    final AccessLogWriter writer(String side) {
      long slowNanos = Long.MAX_VALUE;
      if (slowCallThreshold != null) {
        if (slowCallThreshold.isNegative() || slowCallThreshold.isZero()) {
          throw new IllegalArgumentException(
              "slowCallThreshold: " + slowCallThreshold + " (expected: > 0)");
        }
        slowNanos = slowCallThreshold.toNanos();
      }
      @Nullable Level[] byCode = new Level[Status.Code.values().length];
      for (Map.Entry<Status.Code, @Nullable Level> e : levels.entrySet()) {
        byCode[e.getKey().value()] = e.getValue();
      }
      Logger target = logger != null ? logger : LoggerFactory.getLogger(defaultLoggerName);
      return new AccessLogWriter(target, side, byCode, slowNanos, slowCallLevel);
    }

    final MethodSelector excluded() {
      return excluded;
    }
  }

  /**
   * Builds the server access-log interceptor.
   *
   * <p>Not thread-safe; {@link #build()} copies what it needs.
   */
  public static final class ServerBuilder extends Builder<ServerBuilder> {
    ServerBuilder() {
      super(SERVER_LOGGER_NAME);
    }

    @Override
    ServerBuilder self() {
      return this;
    }

    /**
     * Builds the interceptor.
     *
     * @return the interceptor; never null
     * @throws IllegalArgumentException when a setting is out of range
     */
    public ServerInterceptor build() {
      return new AccessLogServerInterceptor(writer("server"), excluded());
    }
  }

  /**
   * Builds the client access-log interceptor; install it nearest the application (first), so it
   * times the whole call as the application sees it.
   *
   * <p>Not thread-safe; {@link #build()} copies what it needs.
   */
  public static final class ClientBuilder extends Builder<ClientBuilder> {
    ClientBuilder() {
      super(CLIENT_LOGGER_NAME);
    }

    @Override
    ClientBuilder self() {
      return this;
    }

    /**
     * Builds the interceptor.
     *
     * @return the interceptor; never null
     * @throws IllegalArgumentException when a setting is out of range
     */
    public ClientInterceptor build() {
      return new AccessLogClientInterceptor(writer("client"), excluded());
    }
  }
}
