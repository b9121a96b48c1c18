package io.github.grpcmiddleware.auth;

import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.function.Function;

/**
 * Application code that makes a call with credentials from a token source; {@link TokenThreadsTest}
 * loads it with an application's own class loader. Public, as that loader makes it a different
 * runtime package, and so it uses only the library's public API.
 */
public final class CallsWithCredentials implements Function<Channel, String> {

  /** For the application loader's reflection. */
  public CallsWithCredentials() {}

  @Override
  public String apply(Channel channel) {
    CallCredentials credentials =
        Auth.clientBuilder().bearerToken(() -> AccessToken.of("tok-app", null)).build();
    // No deadline: grpc-java would start its shared timer thread from here, which copies this
    // thread's context class loader (the test's own timeout bounds the call).
    return SimpleServiceGrpc.newBlockingStub(channel)
        .withCallCredentials(credentials)
        .unaryRpc(SimpleRequest.getDefaultInstance())
        .getResponseMessage();
  }
}
