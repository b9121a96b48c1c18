package io.github.grpcmiddleware.otel;

import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.StatusCode;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.jspecify.annotations.Nullable;

/** The RPC semantic-convention attributes, written without the incubating semconv artifact. */
final class RpcAttributes {
  static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
  static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
  static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  static final AttributeKey<Long> RPC_GRPC_STATUS_CODE =
      AttributeKey.longKey("rpc.grpc.status_code");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> PEER_ADDRESS = AttributeKey.stringKey("network.peer.address");
  static final AttributeKey<Long> PEER_PORT = AttributeKey.longKey("network.peer.port");

  private RpcAttributes() {}

  static SpanBuilder method(SpanBuilder builder, MethodDescriptor<?, ?> method) {
    builder.setAttribute(RPC_SYSTEM, "grpc");
    String service = method.getServiceName();
    if (service != null) {
      builder.setAttribute(RPC_SERVICE, service);
    }
    String bare = method.getBareMethodName();
    if (bare != null) {
      builder.setAttribute(RPC_METHOD, bare);
    }
    return builder;
  }

  /** Sets {@code server.address}/{@code server.port} from an authority such as {@code host:443}. */
  static void authority(SpanBuilder builder, @Nullable String authority) {
    if (authority == null || authority.isEmpty()) {
      return;
    }
    int colon = authority.lastIndexOf(':');
    boolean hasPort = colon > 0 && authority.indexOf(']', colon) < 0;
    String host = hasPort ? authority.substring(0, colon) : authority;
    builder.setAttribute(SERVER_ADDRESS, host);
    if (hasPort) {
      try {
        builder.setAttribute(SERVER_PORT, Long.parseLong(authority.substring(colon + 1)));
      } catch (NumberFormatException e) {
        // not a port: leave it out
      }
    }
  }

  static void peer(SpanBuilder builder, @Nullable SocketAddress peer) {
    if (peer instanceof InetSocketAddress) {
      InetSocketAddress inet = (InetSocketAddress) peer;
      if (inet.getAddress() != null) {
        builder.setAttribute(PEER_ADDRESS, inet.getAddress().getHostAddress());
      }
      builder.setAttribute(PEER_PORT, (long) inet.getPort());
    }
  }

  /** Ends the span with the call's code; which codes are errors differs by side (semconv). */
  static void end(Span span, Status status, boolean server) {
    Status.Code code = status.getCode();
    span.setAttribute(RPC_GRPC_STATUS_CODE, (long) code.value());
    if (server ? isServerError(code) : code != Status.Code.OK) {
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }

  private static boolean isServerError(Status.Code code) {
    switch (code) {
      case UNKNOWN:
      case DEADLINE_EXCEEDED:
      case UNIMPLEMENTED:
      case INTERNAL:
      case UNAVAILABLE:
      case DATA_LOSS:
        return true;
      default:
        return false;
    }
  }
}
