package io.github.grpcmiddleware.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.auth.Auth;
import io.github.grpcmiddleware.auth.Authenticators;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.limits.Limits;
import io.github.grpcmiddleware.logging.AccessLog;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.ServerInterceptor;
import java.util.Collections;
import org.junit.jupiter.api.Test;

/** Mistakes in assembling a chain fail when they are made, with the fix in the message. */
class ServerChainBuilderTest {

  private static final ServerInterceptor AUTH =
      Auth.newServerInterceptor(
          Authenticators.bearerTokens(Collections.singletonMap("token", "user")));

  @Test
  void aLibraryPartInTheWrongSlotIsRejectedNamingItsSlot() {
    assertThatThrownBy(() -> ServerChain.builder().tracing(AUTH))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "tracing: AuthServerInterceptor is the library's auth part"
                + " (expected: ServerChain.builder().auth(...))");
    assertThatThrownBy(() -> ServerChain.builder().observability(TraceIds.newServerInterceptor()))
        .hasMessage(
            "observability: TraceIdsServerInterceptor is the library's tracing part"
                + " (expected: ServerChain.builder().tracing(...))");
    assertThatThrownBy(() -> ServerChain.builder().application(ErrorMapping.newServerInterceptor()))
        .hasMessage(
            "application: ErrorMappingServerInterceptor is the library's errorMapping part"
                + " (expected: ServerChain.builder().errorMapping(...))");
    assertThatThrownBy(() -> ServerChain.builder().auth(AccessLog.newServerInterceptor()))
        .hasMessageStartingWith("auth: AccessLogServerInterceptor is the library's observability");
  }

  @Test
  void everyPartFitsItsOwnSlotAndAGlobalLimitMayRunBeforeAuth() {
    ServerInterceptor chain =
        ServerChain.builder()
            .tracing(TraceIds.newServerInterceptor())
            .observability(AccessLog.newServerInterceptor())
            .errorMapping(ErrorMapping.newServerInterceptor())
            .application(Limits.serverBuilder().build())
            .auth(AUTH)
            .limits(Limits.serverBuilder().build())
            .build();
    assertThat(chain).isInstanceOf(CompositeServerInterceptor.class);
  }

  @Test
  void nullPartsAreRejectedNamingTheSlot() {
    assertThatThrownBy(() -> ServerChain.builder().observability(nullPart()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("observability");
    assertThatThrownBy(() -> ServerChain.builder().application(nullPart()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("application");
    assertThatThrownBy(() -> ServerChain.builder().auth(nullPart()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("auth");
  }

  @Test
  void aSlotSetTwiceIsRejected() {
    assertThatThrownBy(() -> ServerChain.builder().auth(AUTH).auth(AUTH))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("auth already set");
  }

  @SuppressWarnings("NullAway") // deliberately null
  private static ServerInterceptor nullPart() {
    return null;
  }
}
