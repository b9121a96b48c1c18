package io.github.grpcmiddleware.auth;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.jspecify.annotations.Nullable;

/** Tells whether a peer is on this machine, for the plaintext allowances of both sides. */
final class LocalPeers {

  private LocalPeers() {}

  /**
   * A loopback IP address, or a non-IP address (in-process, Unix domain socket), counts as local;
   * an unknown ({@code null}) address does not.
   */
  static boolean isLocal(@Nullable SocketAddress address) {
    if (address instanceof InetSocketAddress) {
      InetAddress ip = ((InetSocketAddress) address).getAddress();
      return ip != null && ip.isLoopbackAddress();
    }
    return address != null;
  }
}
