package io.github.grpcmiddleware.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.errors.ServiceException;
import io.github.grpcmiddleware.internal.HeaderKeys;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testsupport.Rpcs;
import io.grpc.Metadata;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class AuthServerTest {
  static final RecordingService service = new RecordingService();

  static final TokenVerifier VERIFIER =
      token ->
          switch (token) {
            case "alice-token" -> new NamedPrincipal("alice");
            case "bob-token" -> new NamedPrincipal("bob");
            case "down" -> throw AuthenticationException.unavailable(new IOException("idp down"));
            case "boom" -> throw new IllegalStateException("parser failed");
            case "null" -> null;
            default -> throw AuthenticationException.invalid();
          };

  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(service)
          .interceptor(
              Auth.serverBuilder()
                  .authenticator(Authenticators.bearer(VERIFIER))
                  .authorizer((principal, method) -> principal.getName().equals("alice"))
                  .principalInMdc(true)
                  .build())
          .build();

  @BeforeEach
  void reset() {
    service.handlerCalls.set(0);
    service.mdcPrincipals.clear();
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void validTokenReachesTheServiceWithThePrincipalInContextAndMdc(Rpcs kind) throws Exception {
    Rpcs.Outcome outcome = Rpcs.call(grpc.channel(), Rpcs.bearer("Bearer alice-token"), kind);

    assertThat(outcome.code()).isEqualTo(Status.Code.OK);
    assertThat(outcome.responses()).isNotEmpty().containsOnly("alice");
    assertThat(service.mdcPrincipals).isNotEmpty().containsOnly("alice");
  }

  @ParameterizedTest
  @ValueSource(strings = {"bearer alice-token", "BEARER alice-token", "Bearer   alice-token"})
  void schemeIsCaseInsensitive(String header) {
    Rpcs.Outcome outcome = Rpcs.unary(Rpcs.blocking(grpc.channel(), Rpcs.bearer(header)));

    assertThat(outcome.code()).isEqualTo(Status.Code.OK);
    assertThat(outcome.responses()).containsExactly("alice");
  }

  @Test
  void tokenItselfIsCaseSensitive() {
    Rpcs.Outcome outcome =
        Rpcs.unary(Rpcs.blocking(grpc.channel(), Rpcs.bearer("Bearer ALICE-TOKEN")));

    assertRejected(outcome, AuthRejection.INVALID);
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void everyKindOfCallIsRejectedBeforeTheHandlerRuns(Rpcs kind) throws Exception {
    assertRejected(Rpcs.call(grpc.channel(), new Metadata(), kind), AuthRejection.MISSING);
    assertRejected(
        Rpcs.call(grpc.channel(), Rpcs.bearer("Bearer nobody"), kind), AuthRejection.INVALID);
    assertRejected(
        Rpcs.call(grpc.channel(), Rpcs.bearer("Bearer bob-token"), kind), AuthRejection.DENIED);
    assertThat(service.handlerCalls).hasValue(0);
  }

  @Test
  void missingCredentialsAreUnauthenticated() {
    assertRejected(
        Rpcs.unary(Rpcs.blocking(grpc.channel(), new Metadata())), AuthRejection.MISSING);
    assertRejected(
        Rpcs.unary(Rpcs.blocking(grpc.channel(), Rpcs.header("x-api-key", "alice-token"))),
        AuthRejection.MISSING);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Bearer",
        "Bearer ",
        "Basic x",
        "Bearerx alice-token",
        "alice-token",
        "Bearer alice-token extra",
        "Bearer alice\ttoken"
      })
  void malformedCredentialsAreUnauthenticated(String header) {
    assertRejected(
        Rpcs.unary(Rpcs.blocking(grpc.channel(), Rpcs.bearer(header))), AuthRejection.MALFORMED);
  }

  @Test
  void twoAuthorizationHeadersAreMalformed() {
    Metadata headers = Rpcs.bearer("Bearer alice-token");
    headers.put(HeaderKeys.AUTHORIZATION, "Bearer alice-token");

    assertRejected(Rpcs.unary(Rpcs.blocking(grpc.channel(), headers)), AuthRejection.MALFORMED);
  }

  // grpc-java's ASCII marshaller sends a non-ASCII character as '?', so it arrives as a wrong
  // token.
  @ParameterizedTest
  @ValueSource(strings = {"Bearer nobody", "Bearer boom", "Bearer null", "Bearer \u00e4lice-token"})
  void invalidCredentialsAndAuthenticatorFailuresAreUnauthenticated(String header) {
    assertRejected(
        Rpcs.unary(Rpcs.blocking(grpc.channel(), Rpcs.bearer(header))), AuthRejection.INVALID);
  }

  @Test
  void identifiedButNotAllowedIsPermissionDenied() {
    assertRejected(
        Rpcs.unary(Rpcs.blocking(grpc.channel(), Rpcs.bearer("Bearer bob-token"))),
        AuthRejection.DENIED);
  }

  @Test
  void identityProviderDownIsUnavailable() {
    assertRejected(
        Rpcs.unary(Rpcs.blocking(grpc.channel(), Rpcs.bearer("Bearer down"))),
        AuthRejection.UNAVAILABLE);
  }

  @Test
  void rejectionsCarryTheCodeTheDefaultEnglishTextAndAServiceExceptionWithTheKey()
      throws Exception {
    Properties defaults = new Properties();
    try (InputStream in =
        ServiceException.class.getResourceAsStream("default-messages.properties")) {
      defaults.load(new InputStreamReader(in, StandardCharsets.UTF_8));
    }
    Map<AuthRejection, Status.Code> codes =
        Map.of(
            AuthRejection.MISSING, Status.Code.UNAUTHENTICATED,
            AuthRejection.MALFORMED, Status.Code.UNAUTHENTICATED,
            AuthRejection.INVALID, Status.Code.UNAUTHENTICATED,
            AuthRejection.INSECURE, Status.Code.UNAUTHENTICATED,
            AuthRejection.DENIED, Status.Code.PERMISSION_DENIED,
            AuthRejection.UNAVAILABLE, Status.Code.UNAVAILABLE);
    assertThat(codes).hasSize(AuthRejection.values().length);
    for (AuthRejection rejection : AuthRejection.values()) {
      Status status = rejection.status();
      assertThat(status.getCode()).isEqualTo(codes.get(rejection));
      assertThat(status.getDescription())
          .isEqualTo(defaults.getProperty(rejection.messageKey()))
          .isNotBlank();
      assertThat(status.getCause())
          .isInstanceOfSatisfying(
              ServiceException.class,
              e -> {
                assertThat(e.getCode()).isEqualTo(status.getCode());
                assertThat(e.getMessageKey()).isEqualTo(rejection.messageKey());
                assertThat(e.getDefaultMessage()).isEqualTo(status.getDescription());
              });
    }
  }

  @Test
  void staticTokensAreRejectedWhenMalformedInTheBuilderWithoutQuotingThem() {
    assertThatThrownBy(() -> Authenticators.bearerTokens(Map.of("sec ret", "alice")))
        .isInstanceOf(IllegalArgumentException.class)
        .message()
        .doesNotContain("sec ret")
        .contains("visible ASCII");
    assertThatThrownBy(() -> Authenticators.bearerTokens(Map.of()))
        .hasMessage("tokenToPrincipalName: {} (expected: at least one entry)");
    assertThatThrownBy(() -> Auth.serverBuilder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("authenticator: not set (expected: an Authenticator or an AsyncAuthenticator)");
    assertThatThrownBy(() -> Authenticators.apiKey("x-key-bin", token -> null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  static void assertRejected(Rpcs.Outcome outcome, AuthRejection rejection) {
    assertThat(outcome.code()).isEqualTo(rejection.code());
    assertThat(outcome.status().getDescription()).isEqualTo(rejection.englishText());
    assertThat(outcome.responses()).isEmpty();
  }
}
