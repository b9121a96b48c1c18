package io.github.grpcmiddleware.auth;

import static io.github.grpcmiddleware.auth.AuthServerTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.internal.HeaderKeys;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testsupport.Rpcs;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Static bearer tokens and API keys, hashed per thread into reused buffers: every token length
 * (beyond the reused buffer too), every kind of call, many threads at once, and the same rejections
 * as any other authenticator.
 */
class StaticSecretsTest {
  static final RecordingService service = new RecordingService();

  static final String SHORT = "t1";
  static final String MEDIUM = token('m', 100); // beyond the first buffer
  static final String LONG = token('l', 5000);
  static final String HUGE = token('h', 9000); // beyond what a thread keeps

  @RegisterExtension
  static final GrpcServerExtension bearer =
      GrpcServerExtension.builder()
          .service(service)
          .interceptor(
              Auth.serverBuilder()
                  .authenticator(
                      Authenticators.bearerTokens(
                          Map.of(
                              SHORT, "short", MEDIUM, "medium", LONG, "long", HUGE, "huge", "a!~",
                              "symbols")))
                  .build())
          .build();

  @RegisterExtension
  static final GrpcServerExtension apiKeys =
      GrpcServerExtension.builder()
          .service(service)
          .interceptor(
              Auth.serverBuilder()
                  .authenticator(
                      Authenticators.apiKeys(
                          "x-api-key", Map.of("key-1", "svc-1", LONG, "svc-long")))
                  .build())
          .build();

  private static String token(char c, int length) {
    return String.valueOf(c).repeat(length - 1) + "Z";
  }

  private static Rpcs.Outcome bearerCall(String header) {
    return Rpcs.unary(Rpcs.blocking(bearer.channel(), Rpcs.bearer(header)));
  }

  private static Rpcs.Outcome apiKeyCall(Metadata headers) {
    return Rpcs.unary(Rpcs.blocking(apiKeys.channel(), headers));
  }

  @Test
  void everyTokenLengthIdentifiesItsPrincipalWhateverCameBefore() {
    // Long then short then long: a buffer grown or left over by one call must not leak into the
    // next hash.
    List<String> order = List.of(HUGE, SHORT, LONG, MEDIUM, SHORT, HUGE, "a!~", LONG, SHORT);
    List<String> names = new ArrayList<>();
    for (String token : order) {
      Rpcs.Outcome outcome = bearerCall("Bearer " + token);
      assertThat(outcome.code()).isEqualTo(Status.Code.OK);
      names.add(outcome.responses().get(0));
    }
    assertThat(names)
        .containsExactly(
            "huge", "short", "long", "medium", "short", "huge", "symbols", "long", "short");
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void everyKindOfCallIsAuthenticated(Rpcs kind) throws Exception {
    Rpcs.Outcome outcome = Rpcs.call(bearer.channel(), Rpcs.bearer("Bearer " + MEDIUM), kind);

    assertThat(outcome.code()).isEqualTo(Status.Code.OK);
    assertThat(outcome.responses()).isNotEmpty().containsOnly("medium");
    assertRejected(
        Rpcs.call(bearer.channel(), Rpcs.bearer("Bearer x" + MEDIUM), kind), AuthRejection.INVALID);
  }

  @ParameterizedTest
  @ValueSource(strings = {"t", "t12", "T1", "a!", "a!~~", "mmmm", "Z", "hZ"})
  void nearMissesAreInvalid(String token) {
    assertRejected(bearerCall("Bearer " + token), AuthRejection.INVALID);
  }

  @Test
  void nearMissesOfLongTokensAreInvalid() {
    assertRejected(bearerCall("Bearer " + LONG.substring(1)), AuthRejection.INVALID);
    assertRejected(bearerCall("Bearer " + LONG + "Z"), AuthRejection.INVALID);
    assertRejected(bearerCall("Bearer " + HUGE.substring(1)), AuthRejection.INVALID);
    assertRejected(bearerCall("Bearer " + HUGE.replace('h', 'H')), AuthRejection.INVALID);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Bearer", "Bearer ", "Basic t1", "t1", "Bearer t1 x", "Bearer t\t1"})
  void malformedBearerValuesAreMalformed(String header) {
    assertRejected(bearerCall(header), AuthRejection.MALFORMED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"bearer t1", "BEARER t1", "Bearer   t1"})
  void schemeCaseAndExtraSpacesAreAccepted(String header) {
    assertThat(bearerCall(header).responses()).containsExactly("short");
  }

  @Test
  void missingAndDuplicateBearerHeadersAreRejected() {
    Metadata twice = Rpcs.bearer("Bearer " + SHORT);
    twice.put(HeaderKeys.AUTHORIZATION, "Bearer " + SHORT);

    assertRejected(
        Rpcs.unary(Rpcs.blocking(bearer.channel(), new Metadata())), AuthRejection.MISSING);
    assertRejected(Rpcs.unary(Rpcs.blocking(bearer.channel(), twice)), AuthRejection.MALFORMED);
  }

  @Test
  void apiKeysIdentifyTheirPrincipalAndRejectLikeBearerTokens() {
    Rpcs.Outcome valid = apiKeyCall(Rpcs.header("x-api-key", "key-1"));
    Rpcs.Outcome validLong = apiKeyCall(Rpcs.header("x-api-key", LONG));
    Metadata twice = Rpcs.header("x-api-key", "key-1");
    twice.put(Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER), "key-1");

    assertThat(valid.responses()).containsExactly("svc-1");
    assertThat(validLong.responses()).containsExactly("svc-long");
    assertRejected(apiKeyCall(Rpcs.header("x-api-key", "key-2")), AuthRejection.INVALID);
    assertRejected(apiKeyCall(Rpcs.header("x-api-key", "Bearer key-1")), AuthRejection.MALFORMED);
    assertRejected(apiKeyCall(Rpcs.bearer("Bearer key-1")), AuthRejection.MISSING);
    assertRejected(apiKeyCall(twice), AuthRejection.MALFORMED);
  }

  @Test
  void concurrentCallersEachGetTheirOwnPrincipal() throws Exception {
    List<String> tokens = List.of(SHORT, MEDIUM, LONG, HUGE, "a!~", "nobody");
    List<String> expected = List.of("short", "medium", "long", "huge", "symbols", "INVALID");
    ExecutorService callers = Executors.newFixedThreadPool(6);
    try {
      List<Future<List<String>>> results = new ArrayList<>();
      for (String token : tokens) {
        results.add(
            callers.submit(
                () -> {
                  List<String> seen = new ArrayList<>();
                  for (int i = 0; i < 100; i++) {
                    Rpcs.Outcome outcome = bearerCall("Bearer " + token);
                    seen.add(
                        outcome.code() == Status.Code.OK
                            ? outcome.responses().get(0)
                            : outcome.code() == Status.Code.UNAUTHENTICATED
                                ? "INVALID"
                                : outcome.code().name());
                  }
                  return seen;
                }));
      }
      for (int i = 0; i < tokens.size(); i++) {
        assertThat(results.get(i).get()).hasSize(100).containsOnly(expected.get(i));
      }
    } finally {
      callers.shutdownNow();
    }
  }
}
