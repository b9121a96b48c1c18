package io.github.grpcmiddleware.testing;

import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannelBuilder;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The only class that touches grpc-netty-shaded, so the extension loads without it when Netty is
 * not used.
 */
final class NettyTransport {
  static final String HOST = "127.0.0.1";
  private static final String SERVER_BUILDER =
      "io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder";

  private NettyTransport() {}

  static void checkAvailable() {
    try {
      Class.forName(SERVER_BUILDER, false, NettyTransport.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException(
          "netty() needs io.grpc:grpc-netty-shaded on the test class path"
              + " (it is an optional dependency of grpc-middleware-testing)",
          e);
    }
  }

  static ServerBuilder<?> serverBuilder() {
    // A literal address: no name lookup, and never ::1 or a public interface.
    InetAddress loopback;
    try {
      loopback = InetAddress.getByAddress(HOST, new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new AssertionError(e); // only thrown for a wrong-length address
    }
    return NettyServerBuilder.forAddress(
        new InetSocketAddress(loopback, 0), InsecureServerCredentials.create());
  }

  static ManagedChannelBuilder<?> channelBuilder(int port) {
    return NettyChannelBuilder.forAddress(HOST, port, InsecureChannelCredentials.create());
  }
}
