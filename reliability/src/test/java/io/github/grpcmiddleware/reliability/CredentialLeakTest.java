package io.github.grpcmiddleware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.auth.AccessToken;
import io.github.grpcmiddleware.auth.Auth;
import io.github.grpcmiddleware.auth.Authenticators;
import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.i18n.Locales;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.github.grpcmiddleware.testing.TestCredentials;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.CallCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Canary credentials sent in every way the library supports (bearer header from fixed credentials,
 * from a token source and from raw headers, well-formed or not; API keys), accepted and rejected,
 * with handlers that succeed and fail, never show up in any log line at any level (root logger at
 * TRACE), in the MDC, in a status description, trailers or exception message.
 */
class CredentialLeakTest {
  private static final String BEARER = "cnry-bearer-5f1d2a9b7c3e";
  private static final String API_KEY = "cnry-apikey-0b8e4d6f1a2c";
  private static final String WRONG = "cnry-wrong-9a7c5e3b1d0f";
  private static final List<String> FRAME_LOGGERS =
      List.of(
          "io.grpc.netty.shaded.io.grpc.netty.NettyClientHandler",
          "io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler");
  private static final List<String> CANARIES = List.of(BEARER, API_KEY, WRONG, "cnry-");

  @RegisterExtension final LogCapture root = LogCapture.forRootLogger().atLevel("TRACE");

  @RegisterExtension
  final LogCapture library = LogCapture.forLogger("io.github.grpcmiddleware").atLevel("TRACE");

  private final List<String> seenByClients = new ArrayList<>();

  private static ServerInterceptor chain(ServerInterceptor auth) {
    return ServerChain.builder()
        .tracing(TraceIds.newServerInterceptor())
        .locale(Locales.serverBuilder().supported(Locale.ENGLISH).mdc(true).build())
        .errorMapping(ErrorMapping.serverBuilder().build())
        .auth(auth)
        .build();
  }

  private void call(
      ChainServer server, CallCredentials credentials, String text, Status.Code code) {
    SimpleServiceGrpc.SimpleServiceBlockingStub stub =
        SimpleServiceGrpc.newBlockingStub(server.channel(Chains.anonymousClient()))
            .withCallCredentials(credentials)
            .withDeadlineAfter(10, TimeUnit.SECONDS);
    try {
      stub.unaryRpc(SimpleRequest.newBuilder().setRequestMessage(text).build());
      assertThat(Status.Code.OK).isEqualTo(code);
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).as("%s", e).isEqualTo(code);
      seenByClients.add(e.getMessage());
      seenByClients.add(String.valueOf(e.getStatus().getDescription()));
      seenByClients.add(String.valueOf(e.getTrailers()));
      seenByClients.add(
          e.getStatus().getCause() == null ? "" : e.getStatus().getCause().toString());
    }
  }

  @Test
  void canaryCredentialsNeverLeak() throws Exception {
    ProbeService bearerProbe = new ProbeService();
    ServerInterceptor bearerAuth =
        Auth.serverBuilder()
            .authenticator(Authenticators.bearerTokens(Map.of(BEARER, "canary-user")))
            .principalInMdc(true)
            .build();
    ServerInterceptor keyAuth =
        Auth.serverBuilder()
            .authenticator(Authenticators.apiKeys("x-api-key", Map.of(API_KEY, "key-user")))
            .principalInMdc(true)
            .build();
    try (ChainServer bearerServer =
            ChainServer.start(2, chain(bearerAuth), new FaultService(bearerProbe));
        ChainServer keyServer = ChainServer.start(2, chain(keyAuth), new FaultService())) {
      CallCredentials fixed =
          Auth.clientBuilder().bearerToken(BEARER).allowPlaintextLoopback(true).build();
      call(bearerServer, fixed, "ok:canary-user", Status.Code.OK);
      call(bearerServer, fixed, "throw", Status.Code.INTERNAL);
      CallCredentials sourced =
          Auth.clientBuilder()
              .bearerToken(() -> AccessToken.of(BEARER, null))
              .allowPlaintextLoopback(true)
              .build();
      call(bearerServer, sourced, "ok:canary-user", Status.Code.OK);
      call(
          bearerServer,
          Auth.clientBuilder().bearerToken(BEARER).build(),
          "x",
          Status.Code.UNAUTHENTICATED);
      call(bearerServer, TestCredentials.bearer(WRONG), "x", Status.Code.UNAUTHENTICATED);
      for (String malformed :
          List.of(
              "Basic " + BEARER,
              "Bearer " + BEARER + " " + WRONG,
              "Bearer" + BEARER,
              BEARER,
              "Bearer " + BEARER + "\u00e9",
              "Bearer " + BEARER + "\r\nx-forged: " + WRONG)) {
        call(
            bearerServer,
            TestCredentials.header("authorization", malformed),
            "x",
            Status.Code.UNAUTHENTICATED);
      }
      call(
          bearerServer,
          Auth.clientBuilder().apiKey("x-api-key", API_KEY).allowPlaintextLoopback(true).build(),
          "x",
          Status.Code.UNAUTHENTICATED);

      call(
          keyServer,
          Auth.clientBuilder().apiKey("x-api-key", API_KEY).allowPlaintextLoopback(true).build(),
          "x",
          Status.Code.OK);
      call(
          keyServer,
          Auth.clientBuilder()
              .apiKey("x-api-key", () -> AccessToken.of(API_KEY, null))
              .allowPlaintextLoopback(true)
              .build(),
          "throw",
          Status.Code.INTERNAL);
      call(keyServer, TestCredentials.apiKey(WRONG), "x", Status.Code.UNAUTHENTICATED);
      call(
          keyServer,
          TestCredentials.apiKey(API_KEY + " " + WRONG),
          "x",
          Status.Code.UNAUTHENTICATED);
      assertThat(bearerProbe.observations).isNotEmpty();
      assertThat(bearerServer.mdcOfEveryPoolThread()).allSatisfy((t, m) -> assertThat(m).isEmpty());
    }

    List<LoggedEvent> events = new ArrayList<>(root.events());
    events.addAll(library.events());
    assertThat(events).as("the suite saw log lines at all").isNotEmpty();
    // grpc-netty's HTTP/2 frame loggers print every header, authorization included, at DEBUG:
    // a transport hazard outside the library (see README, Reliability). Pinned here so the
    // warning stays true; every other logger, the library's included, must never show a canary.
    assertThat(events)
        .filteredOn(e -> FRAME_LOGGERS.contains(e.loggerName()))
        .anySatisfy(e -> assertThat(e.message()).contains("authorization: Bearer " + BEARER));
    events.removeIf(e -> FRAME_LOGGERS.contains(e.loggerName()));
    assertThat(events).anySatisfy(e -> assertThat(e.level()).isIn("DEBUG", "TRACE"));
    for (LoggedEvent event : events) {
      StringBuilder everything = new StringBuilder(event.toString()).append(event.message());
      event.mdc().forEach((k, v) -> everything.append(k).append('=').append(v));
      for (Throwable t = event.throwable(); t != null; t = t.getCause()) {
        everything.append(t);
        for (Throwable s : t.getSuppressed()) {
          everything.append(s);
        }
      }
      for (String canary : CANARIES) {
        assertThat(everything.toString()).as("log line %s", event).doesNotContain(canary);
      }
    }
    assertThat(seenByClients)
        .isNotEmpty()
        .allSatisfy(text -> assertThat(text).doesNotContain("cnry-"));
  }
}
