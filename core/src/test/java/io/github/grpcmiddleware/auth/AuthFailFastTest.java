package io.github.grpcmiddleware.auth;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Mistakes in configuring auth fail where they are made, with a message naming the fix. */
class AuthFailFastTest {

  @Test
  @SuppressWarnings("NullAway")
  void nullArgumentsAreNamedAsTheCallerWroteThem() {
    assertThatThrownBy(() -> Authenticators.bearerTokens(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("tokenToPrincipalName");
    assertThatThrownBy(() -> Authenticators.apiKeys("x-api-key", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("keyToPrincipalName");
    assertThatThrownBy(() -> Authenticators.apiKeys(null, Collections.singletonMap("k", "n")))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("headerName");
    assertThatThrownBy(() -> Authenticators.bearer(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("verifier");
    assertThatThrownBy(() -> Authenticators.apiKey("x-api-key", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("verifier");
    assertThatThrownBy(() -> Auth.clientBuilder().bearerToken((String) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("token");
    assertThatThrownBy(() -> Auth.clientBuilder().bearerToken((TokenSource) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("source");
    assertThatThrownBy(() -> Auth.clientBuilder().apiKey("x-api-key", (String) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
  }

  @Test
  @SuppressWarnings("NullAway")
  void aNullEntryIsNamedByItsPositionNeverByItsSecret() {
    Map<String, String> tokens = new HashMap<>();
    tokens.put("s3cret-token", null);

    assertThatThrownBy(() -> Authenticators.bearerTokens(tokens))
        .isInstanceOf(NullPointerException.class)
        .hasMessage(
            "tokenToPrincipalName: entry 0 has a null principal name"
                + " (expected: non-null secrets and names)");
  }

  @Test
  void emptyAndCrLfTokensAreRefusedWithoutEchoingThem() {
    assertThatThrownBy(() -> Authenticators.bearerTokens(Collections.emptyMap()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tokenToPrincipalName: {} (expected: at least one entry)");
    assertThatThrownBy(() -> Authenticators.bearerTokens(Collections.singletonMap("", "alice")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("tokenToPrincipalName: entry 0 has an empty secret");
    assertThatThrownBy(
            () -> Authenticators.bearerTokens(Collections.singletonMap("tok\r\nX-Evil: 1", "a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: 0x21-0x7E only")
        .hasMessageNotContaining("Evil");
    assertThatThrownBy(() -> Auth.clientBuilder().bearerToken("").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "token: empty or has a character that is not visible ASCII (expected: 0x21-0x7E only)");
    assertThatThrownBy(() -> Auth.clientBuilder().bearerToken("tok\r\nX-Evil: 1").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("token: empty or has a character that is not visible ASCII")
        .hasMessageNotContaining("Evil");
  }

  @Test
  void clientCredentialsNeedExactlyOneTokenOrKey() {
    assertThatThrownBy(() -> Auth.clientBuilder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("credentials: not set (expected: one of bearerToken(...) or apiKey(...))");
    assertThatThrownBy(
            () -> Auth.clientBuilder().bearerToken("tok-1").apiKey("x-api-key", "key-1").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "credentials: bearerToken(...) and then apiKey(...)"
                + " (expected: one of bearerToken(...) or apiKey(...), called once)")
        .hasMessageNotContaining("tok-1")
        .hasMessageNotContaining("key-1");
    assertThatThrownBy(
            () ->
                Auth.clientBuilder()
                    .bearerToken(() -> AccessToken.of("tok-1", null))
                    .bearerToken("tok-2")
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("credentials: bearerToken(...) and then bearerToken(...)");
  }
}
