package io.github.grpcmiddleware.auth;

import io.grpc.CallCredentials;
import io.grpc.Grpc;
import io.grpc.SecurityLevel;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * Whether client credentials may go over a call's connection: always with privacy (TLS, or the
 * in-process transport, which reports it); without it only as {@code allowPlaintext(true)} or
 * {@code allowPlaintextLoopback(true)} allow. Decided from what grpc-java tells credentials about
 * the call: its security level, its authority and the connection's remote address.
 */
final class PlaintextAllowance {
  private static final Status INSECURE =
      Status.UNAUTHENTICATED.withDescription(
          "Client credentials refused: the connection has no privacy (TLS); to send them in"
              + " plaintext anyway set allowPlaintextLoopback(true) (a local peer) or"
              + " allowPlaintext(true) on the credentials' builder");

  private final boolean allowPlaintext;
  private final boolean allowPlaintextLoopback;

  PlaintextAllowance(boolean allowPlaintext, boolean allowPlaintextLoopback) {
    this.allowPlaintext = allowPlaintext;
    this.allowPlaintextLoopback = allowPlaintextLoopback;
  }

  /**
   * Returns why credentials may not go over this call's connection, or null when they may. The
   * loopback allowance needs a local peer AND, for a loopback IP peer, a call addressed to this
   * machine: a loopback peer may be a proxy (grpc-java's {@code ProxyDetector}, which by default
   * follows the JVM's {@code https.proxyHost}) that passes the bytes on, in plaintext, to the host
   * the authority names. grpc-java proxies only IP targets, so a non-IP peer (a Unix domain socket)
   * is trusted whatever the authority (for those it is the socket's path).
   */
  @Nullable Status refusal(CallCredentials.RequestInfo requestInfo) {
    if (allowPlaintext || requestInfo.getSecurityLevel() == SecurityLevel.PRIVACY_AND_INTEGRITY) {
      return null;
    }
    if (!allowPlaintextLoopback) {
      return INSECURE;
    }
    SocketAddress peer = requestInfo.getTransportAttrs().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    if (!LocalPeers.isLocal(peer)) {
      return INSECURE;
    }
    if (peer instanceof InetSocketAddress
        && !LocalPeers.isLoopbackAuthority(requestInfo.getAuthority())) {
      return Status.UNAUTHENTICATED.withDescription(
          "Client credentials refused: the connection has no privacy (TLS) and, though its peer is"
              + " a loopback address, the call is addressed to "
              + requestInfo.getAuthority()
              + ", not to localhost or a loopback IP (the peer may be a proxy that sends it on);"
              + " allowPlaintextLoopback(true) does not cover that, allowPlaintext(true) would");
    }
    return null;
  }
}
