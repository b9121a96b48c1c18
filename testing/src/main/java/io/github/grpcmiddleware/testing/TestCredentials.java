package io.github.grpcmiddleware.testing;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Call credentials for tests: a bearer token or an API key sent as request metadata.
 *
 * <pre>{@code
 * stub.withCallCredentials(TestCredentials.bearer("demo-token")).unaryRpc(request);
 * }</pre>
 *
 * <p>Unlike production credentials these send their value on every transport, plaintext Netty and
 * in-process included, so tests can drive a server's auth without TLS. Never use them outside
 * tests. The server side (the authenticator) lives in the core module's {@code auth} package.
 *
 * <p>This class is thread-safe.
 */
public final class TestCredentials {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private TestCredentials() {}

  /**
   * Returns credentials that send {@code authorization: Bearer <token>}.
   *
   * @param token the token, sent as is (an empty or malformed one is useful to test rejection); not
   *     null
   * @return the credentials; never null
   */
  public static CallCredentials bearer(String token) {
    Objects.requireNonNull(token, "token");
    return header("authorization", "Bearer " + token);
  }

  /**
   * Returns credentials that send an API key in the {@code x-api-key} header.
   *
   * @param key the key, sent as is; not null
   * @return the credentials; never null
   */
  public static CallCredentials apiKey(String key) {
    Objects.requireNonNull(key, "key");
    return header("x-api-key", key);
  }

  /**
   * Returns credentials that send one ASCII header, for any other scheme.
   *
   * @param name the header name, for example {@code "authorization"}; not null, not ending in
   *     {@code -bin}
   * @param value the value, sent as is; not null
   * @return the credentials; never null
   * @throws IllegalArgumentException when the name is not a valid ASCII header name
   */
  public static CallCredentials header(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    Metadata.Key<String> key =
        "authorization".equals(name)
            ? AUTHORIZATION
            : Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
    return new HeaderCallCredentials(key, value);
  }

  private static final class HeaderCallCredentials extends CallCredentials {
    private final Metadata.Key<String> key;
    private final String value;

    HeaderCallCredentials(Metadata.Key<String> key, String value) {
      this.key = key;
      this.value = value;
    }

    @Override
    public void applyRequestMetadata(
        RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
      Metadata headers = new Metadata();
      headers.put(key, value);
      applier.apply(headers);
    }

    @Override
    public String toString() {
      // Never the value: credentials end up in logs and assertion messages.
      return "TestCredentials{" + key.name() + "}";
    }
  }
}
