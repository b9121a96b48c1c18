package io.github.grpcmiddleware.examples;

import io.github.grpcmiddleware.auth.Auth;
import io.github.grpcmiddleware.auth.Authenticators;
import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.i18n.Locales;
import io.github.grpcmiddleware.i18n.LocalizedMessages;
import io.github.grpcmiddleware.logging.AccessLog;
import io.github.grpcmiddleware.metrics.GrpcMetrics;
import io.github.grpcmiddleware.otel.GrpcTracing;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.trace.TraceIds;
import io.github.grpcmiddleware.validation.Validation;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example server: Greeter (public) and UserService (bearer token) behind the full chain,
 * assembled by {@link ServerChain}.
 *
 * <pre>
 * java -jar examples/target/example-server.jar [--host 127.0.0.1] [--port 50051] [--otel]
 *     [--zipkin http://127.0.0.1:9411] [--downstream 127.0.0.1:50052]
 *     [--redis redis://127.0.0.1:6379]
 * </pre>
 *
 * <p>With {@code --otel} the OpenTelemetry SDK, configured from the usual {@code OTEL_*} variables
 * ({@code OTEL_TRACES_EXPORTER=otlp} and {@code OTEL_EXPORTER_OTLP_ENDPOINT} send spans to a
 * Collector or Jaeger), owns the trace id in place of core's W3C reader; spans go to the log by
 * default, so the demo needs nothing running. {@code --zipkin URL} implies {@code --otel} and sends
 * the spans to that Zipkin server ({@link ZipkinSpanExporterProvider}).
 *
 * <p>With {@code --downstream HOST:PORT}, {@code Greeter.SayHello} signs each greeting into the Go
 * guestbook there ({@code examples/go-server}) through core's client chain ({@link
 * GuestbookClient}), so one call crosses Node.js or Go, Java and Go in one trace.
 *
 * <p>The accepted token comes from the environment variable {@code DEMO_TOKEN} (default {@code
 * demo-token}).
 *
 * <p>The server applies the production checklist of {@code docs/production.md}: the transport
 * limits of {@link ProductionSettings}, the chain installed with its stream tracer (so a call
 * grpc-java closes itself, such as an undecodable request, is still logged once with its trace id
 * and the code the client got), grpc-java's own transport log records capped ({@code
 * TransportLogLimiter}), and the memory budget and connection limit derived from the JVM's limits
 * (start it with {@code -Xmx} and {@code -XX:MaxDirectMemorySize} set).
 *
 * <p>UserService's requests are checked against the {@code buf.validate} rules of {@code
 * example.proto} (validation part, {@code docs/validation.md}), and {@code ExportUsers} is limited
 * to 2 calls a minute per caller (limits part, {@code docs/limits.md}); with {@code --redis URI}
 * that limit lives in Redis and holds for every replica started with the same URI ({@link
 * ExportLimit}).
 */
public final class ExampleServer {
  private static final Logger logger = LoggerFactory.getLogger(ExampleServer.class);

  private ExampleServer() {}

  /**
   * Starts the server and blocks until it is shut down.
   *
   * @param args {@code --host HOST}, {@code --port PORT}, {@code --otel}, {@code --zipkin URL},
   *     {@code --downstream HOST:PORT} and {@code --redis URI}, all optional
   * @throws Exception when the server cannot start
   */
  public static void main(String[] args) throws Exception {
    String host = "127.0.0.1";
    int port = 50051;
    boolean otel = false;
    String zipkin = null;
    String downstream = null;
    String redis = null;
    for (int i = 0; i < args.length; i++) {
      if ("--port".equals(args[i]) && i + 1 < args.length) {
        port = Integer.parseInt(args[++i]);
      } else if ("--host".equals(args[i]) && i + 1 < args.length) {
        host = args[++i];
      } else if ("--otel".equals(args[i])) {
        otel = true;
      } else if ("--zipkin".equals(args[i]) && i + 1 < args.length) {
        zipkin = args[++i];
      } else if ("--downstream".equals(args[i]) && i + 1 < args.length) {
        downstream = args[++i];
      } else if ("--redis".equals(args[i]) && i + 1 < args.length) {
        redis = args[++i];
      } else {
        System.err.println(
            "usage: example-server [--host HOST] [--port PORT] [--otel] [--zipkin URL]"
                + " [--downstream HOST:PORT] [--redis URI]");
        System.exit(2);
      }
    }
    String token = System.getenv().getOrDefault("DEMO_TOKEN", "demo-token");
    Server server =
        start(
            host,
            port,
            token,
            new SimpleMeterRegistry(),
            otel || zipkin != null ? openTelemetry(zipkin) : null,
            ProductionSettings.defaults(),
            downstream,
            redis);
    logger.info("example server listening on {}:{}", host, server.getPort());
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.shutdown();
                  try {
                    server.awaitTermination(5, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }));
    server.awaitTermination();
  }

  /**
   * Starts the example server.
   *
   * @param host the address to bind, such as {@code 127.0.0.1}
   * @param port the port, or 0 for a free one
   * @param token the bearer token UserService accepts
   * @return the running server
   * @throws IOException when the port cannot be bound
   */
  public static Server start(String host, int port, String token) throws IOException {
    return start(host, port, token, new SimpleMeterRegistry(), null);
  }

  /**
   * Starts the example server, recording metrics in the given registry.
   *
   * @param host the address to bind, such as {@code 127.0.0.1}
   * @param port the port, or 0 for a free one
   * @param token the bearer token UserService accepts
   * @param registry where the server's metrics go
   * @param openTelemetry when not null, its spans own the trace id in place of core's reader
   * @return the running server
   * @throws IOException when the port cannot be bound
   */
  public static Server start(
      String host,
      int port,
      String token,
      MeterRegistry registry,
      @Nullable OpenTelemetry openTelemetry)
      throws IOException {
    return start(host, port, token, registry, openTelemetry, ProductionSettings.defaults());
  }

  /**
   * Starts the example server with the given transport limits ({@code docs/production.md}).
   *
   * @param host the address to bind, such as {@code 127.0.0.1}
   * @param port the port, or 0 for a free one
   * @param token the bearer token UserService accepts
   * @param registry where the server's metrics go
   * @param openTelemetry when not null, its spans own the trace id in place of core's reader
   * @param settings the limits; {@link ProductionSettings#defaults()} in production
   * @return the running server
   * @throws IOException when the port cannot be bound
   */
  public static Server start(
      String host,
      int port,
      String token,
      MeterRegistry registry,
      @Nullable OpenTelemetry openTelemetry,
      ProductionSettings settings)
      throws IOException {
    return start(host, port, token, registry, openTelemetry, settings, null);
  }

  /**
   * Starts the example server whose {@code Greeter.SayHello} signs each greeting into the Go
   * guestbook at {@code downstream} ({@code examples/go-server}).
   *
   * @param host the address to bind, such as {@code 127.0.0.1}
   * @param port the port, or 0 for a free one
   * @param token the bearer token UserService accepts
   * @param registry where the server's metrics go
   * @param openTelemetry when not null, its spans own the trace id in place of core's reader
   * @param settings the limits; {@link ProductionSettings#defaults()} in production
   * @param downstream {@code HOST:PORT} of the Go guestbook, or null to call none
   * @return the running server
   * @throws IOException when the port cannot be bound
   */
  public static Server start(
      String host,
      int port,
      String token,
      MeterRegistry registry,
      @Nullable OpenTelemetry openTelemetry,
      ProductionSettings settings,
      @Nullable String downstream)
      throws IOException {
    return start(host, port, token, registry, openTelemetry, settings, downstream, null);
  }

  /**
   * Starts the example server whose {@code ExportUsers} limit lives in the Redis at {@code redis}
   * (shared by every replica started with it), or in this process when it is null.
   *
   * @param host the address to bind, such as {@code 127.0.0.1}
   * @param port the port, or 0 for a free one
   * @param token the bearer token UserService accepts
   * @param registry where the server's metrics go
   * @param openTelemetry when not null, its spans own the trace id in place of core's reader
   * @param settings the limits; {@link ProductionSettings#defaults()} in production
   * @param downstream {@code HOST:PORT} of the Go guestbook, or null to call none
   * @param redis a Redis URI such as {@code redis://127.0.0.1:6379}, or null
   * @return the running server
   * @throws IOException when the port cannot be bound
   */
  public static Server start(
      String host,
      int port,
      String token,
      MeterRegistry registry,
      @Nullable OpenTelemetry openTelemetry,
      ProductionSettings settings,
      @Nullable String downstream,
      @Nullable String redis)
      throws IOException {
    GuestbookClient guestbook =
        downstream == null ? null : GuestbookClient.connect(downstream, openTelemetry);
    ExecutorService executor = settings.newExecutor();
    ExportLimit exportLimit =
        redis == null ? ExportLimit.local(registry) : ExportLimit.shared(redis, registry, executor);
    HealthStatusManager health = new HealthStatusManager();
    NettyServerBuilder builder =
        settings
            .applyTo(NettyServerBuilder.forAddress(new InetSocketAddress(host, port)))
            .executor(executor)
            .addService(new GreeterService(guestbook))
            .addService(new UserServiceImpl())
            .addService(health.getHealthService());
    // install adds the chain and its stream tracer, so the access log, metrics and spans record
    // the status the client received even when grpc-java closes a call itself (a request that
    // does not decode, for one).
    Server server =
        ServerChain.install(
                builder, chain(token, registry, openTelemetry, exportLimit.interceptor()))
            .build()
            .start();
    logger.info("limits: {}", settings.describeBudget());
    Thread reaper =
        new Thread(
            () -> {
              try {
                server.awaitTermination();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                executor.shutdownNow();
                exportLimit.close();
                if (guestbook != null) {
                  guestbook.close();
                }
              }
            },
            "example-server-reaper");
    reaper.setDaemon(true);
    reaper.start();
    return server;
  }

  /** The whole server chain, with ExportUsers limited in this process. */
  static ServerInterceptor chain(
      String token, MeterRegistry registry, @Nullable OpenTelemetry openTelemetry) {
    return chain(token, registry, openTelemetry, ExportLimit.local(registry).interceptor());
  }

  /** The whole server chain; the builder puts the parts in the right order. */
  static ServerInterceptor chain(
      String token,
      MeterRegistry registry,
      @Nullable OpenTelemetry openTelemetry,
      ServerInterceptor limits) {
    // [START server_chain]
    LocalizedMessages messages = LocalizedMessages.builder().baseName("example-messages").build();
    return ServerChain.builder()
        .tracing(
            openTelemetry == null
                ? TraceIds.newServerInterceptor()
                : GrpcTracing.newServerInterceptor(openTelemetry))
        .observability(AccessLog.serverBuilder().build())
        .observability(GrpcMetrics.serverBuilder(registry).build())
        .locale(
            Locales.serverBuilder()
                .supported(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE)
                .defaultLocale(Locale.ENGLISH)
                .mdc(true)
                .build())
        .errorMapping(
            ErrorMapping.serverBuilder()
                .messageResolver(messages)
                // The Go guestbook's refusal is the server's failure, not the caller's.
                .translateDownstream(Status.Code.PERMISSION_DENIED)
                .build())
        .auth(
            Auth.serverBuilder()
                .authenticator(
                    Authenticators.bearerTokens(Collections.singletonMap(token, "demo-user")))
                .exempt(MethodSelector.of("example.Greeter/*"))
                .build())
        .limits(limits) // ExportUsers: 2 calls a minute per caller (ExportLimit)
        .validation(Validation.serverBuilder().messageResolver(messages).build()) // buf.validate
        .build();
    // [END server_chain]
  }

  /**
   * The OpenTelemetry SDK from the {@code OTEL_*} environment, with spans logged (not exported)
   * unless {@code OTEL_TRACES_EXPORTER} says otherwise, or sent to the Zipkin server at {@code
   * zipkinUrl} when it is not null.
   */
  static OpenTelemetrySdk openTelemetry(@Nullable String zipkinUrl) {
    Map<String, String> defaults = new HashMap<>();
    defaults.put("otel.service.name", "example-server");
    defaults.put("otel.traces.exporter", "logging");
    defaults.put("otel.metrics.exporter", "none");
    defaults.put("otel.logs.exporter", "none");
    if (zipkinUrl != null) {
      defaults.putAll(ZipkinSpanExporterProvider.properties(zipkinUrl));
    }
    return AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> defaults)
        .build()
        .getOpenTelemetrySdk();
  }
}
