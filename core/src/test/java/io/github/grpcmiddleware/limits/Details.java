package io.github.grpcmiddleware.limits;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;

/** Decodes {@code grpc-status-details-bin} for assertions, independently of the code under test. */
final class Details {
  static final Metadata.Key<byte[]> KEY =
      Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER);

  private Details() {}

  static com.google.rpc.Status status(StatusRuntimeException e) {
    Metadata trailers = e.getTrailers();
    byte[] bytes = trailers == null ? null : trailers.get(KEY);
    if (bytes == null) {
      throw new AssertionError("no grpc-status-details-bin in " + trailers);
    }
    try {
      return com.google.rpc.Status.parseFrom(bytes);
    } catch (Exception ex) {
      throw new AssertionError(ex);
    }
  }

  static <T extends Message> T detail(StatusRuntimeException e, Class<T> type) {
    for (Any any : status(e).getDetailsList()) {
      if (any.is(type)) {
        try {
          return any.unpack(type);
        } catch (Exception ex) {
          throw new AssertionError(ex);
        }
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + status(e));
  }

  static List<String> types(StatusRuntimeException e) {
    List<String> types = new ArrayList<>();
    for (Any any : status(e).getDetailsList()) {
      types.add(any.getTypeUrl().substring(any.getTypeUrl().lastIndexOf('.') + 1));
    }
    return types;
  }
}
