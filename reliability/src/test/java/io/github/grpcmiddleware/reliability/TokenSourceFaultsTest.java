package io.github.grpcmiddleware.reliability;

import static io.github.grpcmiddleware.testing.GrpcAssertions.assertThatCall;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.auth.AccessToken;
import io.github.grpcmiddleware.auth.Auth;
import io.github.grpcmiddleware.auth.TokenSource;
import io.github.grpcmiddleware.testing.StatusAssert;
import io.grpc.Status;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A client token source that is slow, fails, throws or hands out garbage: the call ends with a
 * clear UNAUTHENTICATED (or DEADLINE_EXCEEDED when the call's own deadline is shorter), never
 * hangs, never reaches the server and never quotes the token or the source's message.
 */
class TokenSourceFaultsTest {
  private static final String CANARY = "canary-7d1e0c5a-secret";

  private static StatusAssert call(ChainServer server, TokenSource source, long deadlineMillis) {
    SimpleServiceGrpc.SimpleServiceBlockingStub stub =
        SimpleServiceGrpc.newBlockingStub(
                server.channel(
                    Chains.client(
                        Auth.clientBuilder()
                            .bearerToken(source)
                            .tokenTimeout(Duration.ofMillis(500))
                            .allowPlaintextLoopback(true)
                            .build())))
            .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
    StatusAssert result =
        assertThatCall(
                () -> stub.unaryRpc(SimpleRequest.newBuilder().setRequestMessage("x").build()))
            .fails();
    // The source's own exception stays the status's cause (never sent); no text of it is copied.
    assertThat(String.valueOf(result.status().getDescription())).doesNotContain(CANARY);
    return result.withoutTextAnywhere(CANARY);
  }

  @Test
  void everyKindOfBrokenTokenSourceEndsTheCallClearlyAndQuickly() throws Exception {
    CallEnds ends = new CallEnds();
    try (ChainServer server =
        ChainServer.start(2, Chains.server(ends, e -> {}), new FaultService())) {
      TokenSource slow =
          () -> {
            Thread.sleep(5_000);
            return AccessToken.of(CANARY, null);
          };
      call(server, slow, 10_000).hasCode(Status.Code.UNAUTHENTICATED);
      call(server, slow, 200).hasCode(Status.Code.DEADLINE_EXCEEDED);
      call(
              server,
              () -> {
                throw new IOException("token endpoint said no to " + CANARY);
              },
              10_000)
          .hasCode(Status.Code.UNAUTHENTICATED);
      call(
              server,
              () -> {
                throw new IllegalStateException("bug while parsing " + CANARY);
              },
              10_000)
          .hasCode(Status.Code.UNAUTHENTICATED);
      call(server, () -> null, 10_000).hasCode(Status.Code.UNAUTHENTICATED);
      call(server, () -> AccessToken.of(CANARY + "\r\nx-evil: 1", null), 10_000)
          .hasCode(Status.Code.UNAUTHENTICATED);
      call(server, () -> AccessToken.of(CANARY, Instant.now().minusSeconds(60)), 10_000)
          .hasCode(Status.Code.UNAUTHENTICATED);
      assertThat(ends.ends).as("no call reached the server").isEmpty();
    }
  }
}
