package io.github.grpcmiddleware.benchmarks;

import ch.qos.logback.classic.Level;
import io.github.grpcmiddleware.auth.Auth;
import io.github.grpcmiddleware.auth.Authenticators;
import io.github.grpcmiddleware.chain.ClientChain;
import io.github.grpcmiddleware.chain.ClientChainBuilder;
import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.i18n.Locales;
import io.github.grpcmiddleware.i18n.LocalizedMessages;
import io.github.grpcmiddleware.limits.LimitKey;
import io.github.grpcmiddleware.limits.Limits;
import io.github.grpcmiddleware.limits.LimitsServerBuilder;
import io.github.grpcmiddleware.logging.AccessLog;
import io.github.grpcmiddleware.metrics.GrpcMetrics;
import io.github.grpcmiddleware.otel.GrpcTracing;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.CallCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingClientInterceptor;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import io.micrometer.core.instrument.binder.grpc.ObservationGrpcClientInterceptor;
import io.micrometer.core.instrument.binder.grpc.ObservationGrpcServerInterceptor;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.instrumentation.grpc.v1_6.GrpcTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * One configuration under test: the server interceptors (outermost first) and the client
 * interceptors (application side first, as {@link ClientChain} orders them), created fresh for a
 * trial. The names are the benchmarks' {@code stack} parameter values.
 */
final class Stack {

  /** No interceptors: the floor. */
  static final String BARE = "bare";

  /** Our trace interceptor (trace id in Context and MDC), server only like the MDC peer. */
  static final String TRACE = "trace";

  /** Our error mapping on the OK path, with localized messages. */
  static final String ERRORS = "errors";

  /** Our locale interceptors: the client sends accept-language, the server resolves it. */
  static final String LOCALE = "locale";

  /** Our auth: client bearer-token credentials, server authenticator over a static token. */
  static final String AUTH = "auth";

  /** Our access log (server), its logger OFF. */
  static final String ACCESS_LOG_OFF = "accesslog_off";

  /** Our access log (server), its logger at INFO with a no-op appender: one event per call. */
  static final String ACCESS_LOG_ON = "accesslog_on";

  /**
   * Our limits part on its costliest path: the server caps the deadline of a call that has none (a
   * capped Context and its timer per call), takes a permit of a global concurrency limit and a
   * token of a per-method rate limit (both far above the benchmark's rate, so nothing is rejected);
   * the client gives no default deadline, or the cap would have nothing to do.
   */
  static final String LIMITS = "limits";

  /** {@link #LIMITS} without the deadline cap: the two permits only. */
  static final String LIMITS_PERMITS = "limits_permits";

  /** Our Micrometer metrics, server and client, on a SimpleMeterRegistry. */
  static final String METRICS = "metrics";

  /** Our OpenTelemetry spans (GrpcTracing), server and client. */
  static final String SPANS = "spans";

  /**
   * Our full chain without spans. Server: trace, access log (OFF), metrics, locale, error mapping,
   * auth; client: credentials, locale, trace.
   */
  static final String CHAIN = "chain";

  /** The full chain with GrpcTracing in the trace slot (server) and before trace (client). */
  static final String CHAIN_SPANS = "chain_spans";

  /** A typical hand-written MDC interceptor (peer of {@link #TRACE}). */
  static final String PEER_MDC = "peer_mdc";

  /** Micrometer's MetricCollecting interceptors, server and client (peer of our metrics). */
  static final String PEER_MICROMETER = "peer_micrometer";

  /** Micrometer's Observation interceptors with a meter handler, server and client. */
  static final String PEER_OBSERVATION = "peer_observation";

  /** OpenTelemetry's GrpcTelemetry interceptors, server and client (peer of our spans). */
  static final String PEER_OTEL = "peer_otel";

  /**
   * GrpcTelemetry without its per-message span events: the same spans as ours (its default adds one
   * "message" event per message sent or received).
   */
  static final String PEER_OTEL_NO_EVENTS = "peer_otel_no_events";

  /**
   * No interceptors of ours: only the headers the full chain adds, to tell their transport cost
   * apart from the interceptors' work (see {@link ChainHeadersOnly}).
   */
  static final String HEADERS_ONLY = "headers_only";

  static final String TOKEN = "benchmark-token";

  final List<ServerInterceptor> server = new ArrayList<>();
  final List<ClientInterceptor> client = new ArrayList<>();

  /** Spans exported, to check both span stacks really export. */
  final LongAdder exportedSpans = new LongAdder();

  /** Whether this stack exports spans. */
  boolean expectsSpans;

  final List<AutoCloseable> resources = new ArrayList<>();

  private Stack() {}

  /**
   * Creates the configuration with this name.
   *
   * @param name one of the constants
   * @return the configuration; close it at teardown
   */
  static Stack create(String name) {
    Logging.setLevel(
        AccessLog.SERVER_LOGGER_NAME, ACCESS_LOG_ON.equals(name) ? Level.INFO : Level.OFF);
    Stack stack = new Stack();
    switch (name) {
      case BARE -> {}
      case TRACE -> stack.server.add(TraceIds.newServerInterceptor());
      case ERRORS -> stack.server.add(errorMapping());
      case LOCALE -> {
        stack.server.add(localeServer());
        stack.client.add(localeClient());
      }
      case AUTH -> {
        stack.server.add(authServer());
        stack.client.add(ClientChain.builder().credentials(credentials()).build());
      }
      case ACCESS_LOG_OFF, ACCESS_LOG_ON -> stack.server.add(AccessLog.serverBuilder().build());
      case LIMITS -> stack.server.add(limits(true));
      case LIMITS_PERMITS -> stack.server.add(limits(false));
      case METRICS -> {
        SimpleMeterRegistry registry = stack.meterRegistry();
        stack.server.add(GrpcMetrics.serverBuilder(registry).build());
        stack.client.add(GrpcMetrics.clientBuilder(registry).build());
      }
      case SPANS -> {
        OpenTelemetrySdk sdk = stack.openTelemetry();
        stack.server.add(GrpcTracing.newServerInterceptor(sdk));
        stack.client.add(GrpcTracing.newClientInterceptor(sdk));
      }
      case CHAIN -> {
        stack.server.add(stack.serverChain(TraceIds.newServerInterceptor()));
        stack.client.add(fullClientChain(null));
      }
      case CHAIN_SPANS -> {
        OpenTelemetrySdk sdk = stack.openTelemetry();
        stack.server.add(stack.serverChain(GrpcTracing.newServerInterceptor(sdk)));
        stack.client.add(fullClientChain(GrpcTracing.newClientInterceptor(sdk)));
      }
      case PEER_MDC -> stack.server.add(new HandWrittenMdcInterceptor());
      case PEER_MICROMETER -> {
        SimpleMeterRegistry registry = stack.meterRegistry();
        stack.server.add(new MetricCollectingServerInterceptor(registry));
        stack.client.add(new MetricCollectingClientInterceptor(registry));
      }
      case PEER_OBSERVATION -> {
        ObservationRegistry observations = ObservationRegistry.create();
        observations
            .observationConfig()
            .observationHandler(new DefaultMeterObservationHandler(stack.meterRegistry()));
        stack.server.add(new ObservationGrpcServerInterceptor(observations));
        stack.client.add(new ObservationGrpcClientInterceptor(observations));
      }
      case PEER_OTEL -> {
        GrpcTelemetry telemetry = GrpcTelemetry.create(stack.openTelemetry());
        stack.server.add(telemetry.createServerInterceptor());
        stack.client.add(telemetry.createClientInterceptor());
      }
      case HEADERS_ONLY -> {
        stack.server.add(ChainHeadersOnly.server());
        stack.client.add(ChainHeadersOnly.client());
      }
      case PEER_OTEL_NO_EVENTS -> {
        GrpcTelemetry telemetry =
            GrpcTelemetry.builder(stack.openTelemetry()).setEmitMessageEvents(false).build();
        stack.server.add(telemetry.createServerInterceptor());
        stack.client.add(telemetry.createClientInterceptor());
      }
      default -> throw new IllegalArgumentException("unknown stack: " + name);
    }
    return stack;
  }

  private static ServerInterceptor limits(boolean cap) {
    LimitsServerBuilder limits = Limits.serverBuilder();
    if (cap) {
      limits.deadlineCap(MethodSelector.of("*"), Duration.ofSeconds(10));
    }
    return limits
        .concurrencyLimit("inflight", MethodSelector.of("*"), LimitKey.global(), 10_000)
        .rateLimit(
            "rate", MethodSelector.of("*"), LimitKey.method(), 1_000_000_000, Duration.ofSeconds(1))
        .build();
  }

  /**
   * Server interceptors in the order {@code ServerInterceptors.intercept} wants (last runs first).
   */
  List<ServerInterceptor> serverForIntercept() {
    List<ServerInterceptor> reversed = new ArrayList<>(server);
    Collections.reverse(reversed);
    return reversed;
  }

  /** Client interceptors in the order {@code ManagedChannelBuilder.intercept} wants. */
  List<ClientInterceptor> clientForIntercept() {
    List<ClientInterceptor> reversed = new ArrayList<>(client);
    Collections.reverse(reversed);
    return reversed;
  }

  /** Closes the registries and SDKs the stack created. */
  void close() throws Exception {
    for (AutoCloseable resource : resources) {
      resource.close();
    }
  }

  private SimpleMeterRegistry meterRegistry() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    resources.add(registry::close);
    return registry;
  }

  OpenTelemetrySdk openTelemetry() {
    expectsSpans = true;
    OpenTelemetrySdk sdk = OpenTelemetrySdks.create(exportedSpans);
    resources.add(sdk);
    return sdk;
  }

  static ServerInterceptor errorMapping() {
    return ErrorMapping.serverBuilder()
        .messageResolver(LocalizedMessages.builder().build())
        .build();
  }

  static ServerInterceptor localeServer() {
    return Locales.serverBuilder()
        .supported(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE)
        .defaultLocale(Locale.ENGLISH)
        .build();
  }

  static ClientInterceptor localeClient() {
    return Locales.clientBuilder()
        .locale(() -> Locale.SIMPLIFIED_CHINESE)
        .fallback(Locale.ENGLISH, 0.8)
        .build();
  }

  static ServerInterceptor authServer() {
    return Auth.serverBuilder()
        .authenticator(Authenticators.bearerTokens(Collections.singletonMap(TOKEN, "bench-user")))
        .build();
  }

  static CallCredentials credentials() {
    // The in-process transport reports PRIVACY_AND_INTEGRITY; Netty here is plaintext loopback.
    return Auth.clientBuilder().bearerToken(TOKEN).allowPlaintextLoopback(true).build();
  }

  private ServerInterceptor serverChain(ServerInterceptor tracing) {
    return ServerChain.builder()
        .tracing(tracing)
        .observability(AccessLog.serverBuilder().build())
        .observability(GrpcMetrics.serverBuilder(meterRegistry()).build())
        .locale(localeServer())
        .errorMapping(errorMapping())
        .auth(authServer())
        .build();
  }

  private static ClientInterceptor fullClientChain(@Nullable ClientInterceptor spans) {
    ClientChainBuilder chain = ClientChain.builder();
    if (spans != null) {
      // Before core's trace interceptor, which then injects nothing.
      chain.observability(spans);
    }
    return chain
        .tracing(TraceIds.newClientInterceptor())
        .locale(localeClient())
        .credentials(credentials())
        .build();
  }
}
