package io.github.grpcmiddleware.reliability;

import io.github.grpcmiddleware.auth.Auth;
import io.github.grpcmiddleware.auth.Authenticators;
import io.github.grpcmiddleware.chain.ClientChain;
import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.chain.ServerChainBuilder;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.errors.ErrorMappingServerBuilder;
import io.github.grpcmiddleware.i18n.Locales;
import io.github.grpcmiddleware.i18n.LocalizedMessages;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.CallCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The full chain as a service installs it: trace, locale (en, zh-CN), error mapping with the
 * example catalogs, the application slot, and bearer-token auth with the principal in the MDC.
 * Greeter is public; every other service needs a token.
 */
final class Chains {
  /** Two callers, so that the principal in the MDC can be checked for cross-talk too. */
  static final String TOKEN_A = "token-alice-7f3a";

  static final String TOKEN_B = "token-bob-91c2";
  static final Map<String, String> TOKENS = Map.of(TOKEN_A, "alice", TOKEN_B, "bob");

  private Chains() {}

  static ServerInterceptor server(ServerInterceptor... application) {
    return server(errors -> {}, application);
  }

  static ServerInterceptor server(
      Consumer<ErrorMappingServerBuilder> errorConfig, ServerInterceptor... application) {
    return server(null, errorConfig, application);
  }

  /** The full chain with {@code observability} (when not null) in its slot. */
  static ServerInterceptor server(
      @Nullable ServerInterceptor observability,
      Consumer<ErrorMappingServerBuilder> errorConfig,
      ServerInterceptor... application) {
    ErrorMappingServerBuilder errors =
        ErrorMapping.serverBuilder()
            .messageResolver(LocalizedMessages.builder().baseName("example-messages").build());
    errorConfig.accept(errors);
    ServerChainBuilder chain =
        ServerChain.builder()
            .tracing(TraceIds.newServerInterceptor())
            .locale(
                Locales.serverBuilder()
                    .supported(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE)
                    .defaultLocale(Locale.ENGLISH)
                    .mdc(true)
                    .build())
            .errorMapping(errors.build());
    if (observability != null) {
      chain.observability(observability);
    }
    for (ServerInterceptor interceptor : application) {
      chain.application(interceptor);
    }
    return chain
        .auth(
            Auth.serverBuilder()
                .authenticator(Authenticators.bearerTokens(TOKENS))
                .exempt(MethodSelector.of("example.Greeter/*"))
                .principalInMdc(true)
                .build())
        .build();
  }

  /** The client chain with a fixed bearer token, allowed in plaintext to 127.0.0.1 only. */
  static ClientInterceptor client(String token) {
    return client(Auth.clientBuilder().bearerToken(token).allowPlaintextLoopback(true).build());
  }

  static ClientInterceptor client(CallCredentials credentials) {
    return ClientChain.builder()
        .tracing(TraceIds.newClientInterceptor())
        .locale(Locales.clientBuilder().locale(() -> Locale.ENGLISH).build())
        .credentials(credentials)
        .build();
  }

  /** The client chain without credentials. */
  static ClientInterceptor anonymousClient() {
    return ClientChain.builder()
        .tracing(TraceIds.newClientInterceptor())
        .locale(Locales.clientBuilder().locale(() -> Locale.ENGLISH).build())
        .build();
  }
}
