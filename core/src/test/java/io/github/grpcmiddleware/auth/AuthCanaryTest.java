package io.github.grpcmiddleware.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.github.grpcmiddleware.testsupport.Rpcs;
import io.grpc.CallCredentials;
import io.grpc.StatusRuntimeException;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A canary credential must never show up in logs, the MDC, descriptions or exception messages. */
class AuthCanaryTest {
  static final String CANARY = "CANARY-7f3a9c";
  static final RecordingService service = new RecordingService();

  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(service)
          .interceptor(
              Auth.serverBuilder()
                  .authenticator(
                      Authenticators.bearer(
                          token -> {
                            if (token.startsWith(CANARY + "-down")) {
                              throw AuthenticationException.unavailable(
                                  new IOException("introspection failed for " + token));
                            }
                            if (token.startsWith(CANARY + "-bug")) {
                              throw new IllegalArgumentException("cannot parse JWT " + token);
                            }
                            if (token.equals(CANARY + "-ok")) {
                              return new NamedPrincipal("alice");
                            }
                            throw AuthenticationException.invalid();
                          }))
                  .principalInMdc(true)
                  .build())
          .build();

  @RegisterExtension
  static final GrpcServerExtension staticTokens =
      GrpcServerExtension.builder()
          .service(service)
          .interceptor(
              Auth.serverBuilder()
                  .authenticator(Authenticators.bearerTokens(Map.of(CANARY, "alice")))
                  .build())
          .build();

  @RegisterExtension final LogCapture root = LogCapture.forRootLogger().atLevel("TRACE");

  @Test
  void canaryNeverLeaksFromServerOrClient() {
    List<String> texts = new ArrayList<>();
    for (String header :
        new String[] {
          "Bearer " + CANARY,
          "Bearer " + CANARY + "-down",
          "Bearer " + CANARY + "-bug",
          "Basic " + CANARY,
          "Bearer " + CANARY + " extra",
          "Bearer " + CANARY + "-ok"
        }) {
      texts.add(unaryText(grpc, header));
      texts.add(unaryText(staticTokens, header));
    }
    texts.add(
        clientText(
            Auth.clientBuilder()
                .bearerToken(
                    () -> {
                      throw new IOException("token endpoint rejected " + CANARY);
                    })
                .build()));
    texts.add(
        clientText(
            Auth.clientBuilder()
                .bearerToken(() -> AccessToken.of(CANARY + "\r\nx: y", null))
                .build()));
    assertThatThrownBy(() -> Auth.clientBuilder().bearerToken(CANARY + "\n").build())
        .satisfies(e -> texts.add(e.getMessage()));
    texts.add(AccessToken.of(CANARY, null).toString());
    texts.add(new NamedPrincipal("alice").toString());

    assertThat(service.mdcPrincipals)
        .contains("alice")
        .allSatisfy(v -> assertThat(v).doesNotContain(CANARY));
    List<LoggedEvent> events = root.events();
    assertThat(events).isNotEmpty();
    for (LoggedEvent event : events) {
      texts.add(event.message());
      texts.add(String.valueOf(event.mdc()));
      texts.add(String.valueOf(event.keyValues()));
      for (Throwable t = event.throwable(); t != null; t = t.getCause()) {
        texts.add(t.getMessage());
      }
    }
    assertThat(texts).allSatisfy(text -> assertThat(String.valueOf(text)).doesNotContain(CANARY));
    assertThat(texts)
        .anySatisfy(text -> assertThat(String.valueOf(text)).contains("auth rejected"));
  }

  private static String unaryText(GrpcServerExtension server, String header) {
    try {
      return Rpcs.blocking(server.channel(), Rpcs.bearer(header))
          .unaryRpc(SimpleRequest.getDefaultInstance())
          .getResponseMessage();
    } catch (StatusRuntimeException e) {
      return e.getMessage() + " | " + e.getStatus();
    }
  }

  private static String clientText(CallCredentials credentials) {
    try {
      SimpleServiceGrpc.newBlockingStub(grpc.channel())
          .withCallCredentials(credentials)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .unaryRpc(SimpleRequest.getDefaultInstance());
      return "unexpected success";
    } catch (StatusRuntimeException e) {
      return e.getMessage() + " | " + e.getStatus().getDescription();
    }
  }
}
