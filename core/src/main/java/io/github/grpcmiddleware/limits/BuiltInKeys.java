package io.github.grpcmiddleware.limits;

import io.github.grpcmiddleware.auth.Auth;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.Principal;

/** The keys behind {@link LimitKey}'s factories. */
enum BuiltInKeys implements LimitKey {
  GLOBAL {
    @Override
    public String keyOf(ServerCall<?, ?> call, Metadata headers) {
      return "global";
    }
  },
  METHOD {
    @Override
    public String keyOf(ServerCall<?, ?> call, Metadata headers) {
      return call.getMethodDescriptor().getFullMethodName();
    }
  },
  PRINCIPAL {
    @Override
    public String keyOf(ServerCall<?, ?> call, Metadata headers) {
      Principal principal = Auth.principal();
      // The prefix keeps a principal named "anonymous" out of the unauthenticated callers' bucket.
      return principal == null ? LimitKey.ANONYMOUS : PRINCIPAL_PREFIX + principal.getName();
    }
  },
  PEER {
    @Override
    public String keyOf(ServerCall<?, ?> call, Metadata headers) {
      SocketAddress peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
      if (peer instanceof InetSocketAddress) {
        InetAddress address = ((InetSocketAddress) peer).getAddress();
        if (address != null) {
          return address.getHostAddress();
        }
      }
      return peer == null ? "unknown" : peer.toString();
    }
  };

  static final String PRINCIPAL_PREFIX = "principal:";
}
