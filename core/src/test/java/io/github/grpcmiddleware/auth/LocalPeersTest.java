package io.github.grpcmiddleware.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which call authorities name this machine without asking DNS. */
class LocalPeersTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "localhost",
        "localhost:50051",
        "LocalHost:443",
        "localhost.:443",
        "127.0.0.1:50051",
        "127.255.3.4",
        "[::1]:443",
        "[0:0:0:0:0:0:0:1]",
        "[::ffff:127.0.0.1]:8080",
        "user@localhost:1"
      })
  void loopbackAuthorities(String authority) {
    assertThat(LocalPeers.isLoopbackAuthority(authority)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "example.invalid:443",
        "localhost.example.com",
        "localhost@example.com",
        "127.0.0.1.example.com:443",
        "10.0.0.1:443",
        "128.0.0.1",
        "127.0.0.256",
        "127.1",
        "0177.0.0.1",
        "127.0.0.1:443:1",
        "::1",
        "[::2]:443",
        "[localhost]:443",
        "[::1",
        ""
      })
  void otherAuthorities(String authority) {
    assertThat(LocalPeers.isLoopbackAuthority(authority)).isFalse();
  }
}
