package io.github.grpcmiddleware.auth;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;
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

  /**
   * Whether a call's authority ({@code host[:port]}) names this machine without asking DNS: {@code
   * localhost} or a loopback IP literal ({@code 127.0.0.0/8}, {@code [::1]}). Any other name may
   * resolve elsewhere, and a proxy resolves it for itself.
   */
  static boolean isLoopbackAuthority(String authority) {
    String host = authority.substring(authority.lastIndexOf('@') + 1);
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end > 0 && isLoopbackIpv6(host.substring(0, end + 1));
    }
    int colon = host.indexOf(':');
    if (colon >= 0) {
      if (host.indexOf(':', colon + 1) >= 0) {
        return false; // an IPv6 literal must be in brackets in an authority
      }
      host = host.substring(0, colon);
    }
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    return host.toLowerCase(Locale.ROOT).equals("localhost") || isLoopbackIpv4(host);
  }

  private static boolean isLoopbackIpv4(String host) {
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3) {
        return false;
      }
      for (int i = 0; i < part.length(); i++) {
        if (part.charAt(i) < '0' || part.charAt(i) > '9') {
          return false;
        }
      }
      if (Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return parts[0].equals("127");
  }

  /**
   * {@code bracketed} is {@code [...]}: brackets make InetAddress parse a literal, never ask DNS.
   */
  private static boolean isLoopbackIpv6(String bracketed) {
    try {
      return InetAddress.getByName(bracketed).isLoopbackAddress();
    } catch (UnknownHostException | RuntimeException e) {
      return false;
    }
  }
}
