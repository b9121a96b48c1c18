package io.github.grpcmiddleware.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.LocalizedMessage;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.errors.MessageKeys;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testsupport.Rpcs;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Error mapping, outside auth, re-renders auth's rejections through its message resolver. */
class AuthErrorMappingTest {
  static final RecordingService service = new RecordingService();

  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(service)
          .interceptor(
              ErrorMapping.serverBuilder()
                  .messageResolver(
                      (context, key, args) ->
                          key.equals(MessageKeys.AUTH_INVALID)
                              ? LocalizedMessage.newBuilder()
                                  .setLocale("fr")
                                  .setMessage("Identifiants invalides ou expir\u00e9s.")
                                  .build()
                              : null)
                  .build(),
              Auth.serverBuilder()
                  .authenticator(Authenticators.bearerTokens(Map.of("good", "alice")))
                  .build())
          .build();

  @Test
  void rejectionIsLocalizedByErrorMappingAndKeepsItsCode() {
    Rpcs.Outcome invalid = Rpcs.unary(Rpcs.blocking(grpc.channel(), Rpcs.bearer("Bearer bad")));
    Rpcs.Outcome missing = Rpcs.unary(Rpcs.blocking(grpc.channel(), new Metadata()));

    assertThat(invalid.code()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(invalid.status().getDescription())
        .isEqualTo("Identifiants invalides ou expir\u00e9s.");
    assertThat(missing.code()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(missing.status().getDescription()).isEqualTo(AuthRejection.MISSING.englishText());
    assertThat(service.handlerCalls).hasValue(0);
  }
}
