package com.example.greeter;

import io.github.grpcmiddleware.auth.Auth;
import io.github.grpcmiddleware.auth.Authenticators;
import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.i18n.Locales;
import io.github.grpcmiddleware.i18n.LocalizedMessages;
import io.github.grpcmiddleware.logging.AccessLog;
import io.github.grpcmiddleware.metrics.GrpcMetrics;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Map;

/** The Greeter server: {@code java com.example.greeter.GreeterServer [port]}. */
public final class GreeterServer {
  private GreeterServer() {}

  /**
   * Serves the Greeter on 127.0.0.1 until the process is stopped.
   *
   * @param args the port, optional (default 50051)
   * @throws Exception when the server cannot start
   */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 50051;
    Server server = start(port, "s3cret", new SimpleMeterRegistry());
    System.out.println("Greeter listening on 127.0.0.1:" + server.getPort());
    server.awaitTermination();
  }

  /**
   * Starts the Greeter behind the whole chain.
   *
   * @param port the port, or 0 for a free one
   * @param token the bearer token callers must send
   * @param registry where the metrics go
   * @return the running server
   * @throws IOException when the port cannot be bound
   */
  public static Server start(int port, String token, MeterRegistry registry) throws IOException {
    // [START standalone_server]
    NettyServerBuilder server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .addService(new GreeterService());
    // One interceptor (the chain orders its parts itself) and its stream tracer, so the access
    // log and metrics record what the client received even when grpc-java closes a call itself.
    return ServerChain.install(server, chain(token, registry)).build().start();
    // [END standalone_server]
  }

  /**
   * The whole server chain.
   *
   * @param token the bearer token callers must send
   * @param registry where the metrics go
   * @return one interceptor that runs every part in the right order
   */
  public static ServerInterceptor chain(String token, MeterRegistry registry) {
    // [START standalone_chain]
    LocalizedMessages messages =
        LocalizedMessages.builder().baseName("com/example/greeter/messages").build();
    return ServerChain.builder()
        .tracing(TraceIds.newServerInterceptor()) // W3C traceparent, x-trace-id, MDC traceId
        .observability(AccessLog.serverBuilder().build()) // one line per call
        .observability(GrpcMetrics.serverBuilder(registry).build())
        .locale(
            Locales.serverBuilder() // accept-language -> Locales.current(), MDC locale
                .supported(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE)
                .defaultLocale(Locale.ENGLISH)
                .mdc(true)
                .build())
        .errorMapping(ErrorMapping.serverBuilder().messageResolver(messages).build())
        .auth(
            Auth.serverBuilder()
                .authenticator(Authenticators.bearerTokens(Map.of(token, "greeter-user")))
                .principalInMdc(true)
                .build())
        .build();
    // [END standalone_chain]
  }
}
