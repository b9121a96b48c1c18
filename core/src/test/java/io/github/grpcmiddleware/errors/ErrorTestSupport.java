package io.github.grpcmiddleware.errors;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.trace.TraceIdTestInterceptor;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A server fixture, and decoding helpers for assertions independent of the code under test. */
final class ErrorTestSupport {

  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final Metadata.Key<String> TRACE_ID_KEY =
      Metadata.Key.of("x-trace-id", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> CONTENT_LANGUAGE =
      Metadata.Key.of("content-language", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<byte[]> DETAILS =
      Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER);

  private ErrorTestSupport() {}

  /** An in-process server for each test: {@code service} behind a trace id and error mapping. */
  static GrpcServerExtension mappedServer(FailingService service) {
    return GrpcServerExtension.builder()
        .service(service)
        .interceptor(new TraceIdTestInterceptor(TRACE_ID), ErrorMapping.serverBuilder().build())
        .build();
  }

  static Metadata trailers(StatusRuntimeException e) {
    Metadata trailers = e.getTrailers();
    return trailers == null ? new Metadata() : trailers;
  }

  static com.google.rpc.Status details(StatusRuntimeException e) throws Exception {
    byte[] bytes = trailers(e).get(DETAILS);
    if (bytes == null) {
      throw new AssertionError("no grpc-status-details-bin in " + trailers(e));
    }
    return com.google.rpc.Status.parseFrom(bytes);
  }

  static <T extends Message> T detail(StatusRuntimeException e, Class<T> type) throws Exception {
    for (Any any : details(e).getDetailsList()) {
      if (any.is(type)) {
        return any.unpack(type);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + details(e));
  }

  static List<String> detailTypes(StatusRuntimeException e) throws Exception {
    List<String> types = new ArrayList<>();
    for (Any any : details(e).getDetailsList()) {
      types.add(any.getTypeUrl().substring(any.getTypeUrl().lastIndexOf('/') + 1));
    }
    return types;
  }

  /** Everything the client can see: description, every trailer value, every detail as text. */
  static String clientVisible(StatusRuntimeException e) throws InvalidProtocolBufferException {
    StringBuilder all = new StringBuilder(String.valueOf(e.getStatus().getDescription()));
    Metadata trailers = trailers(e);
    for (String key : trailers.keys()) {
      if (key.endsWith("-bin")) {
        for (byte[] v : trailers.getAll(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER))) {
          all.append('\n').append(new String(v, StandardCharsets.UTF_8));
        }
      } else {
        for (String v : trailers.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER))) {
          all.append('\n').append(v);
        }
      }
    }
    return all.toString();
  }

  /**
   * The bytes a trailer block takes on the wire, computed independently: grpc-message
   * percent-encoded, binary values base64 without padding, name + value + 32 per entry.
   */
  static int encodedSize(StatusRuntimeException e) {
    int size =
        "grpc-status".length() + String.valueOf(e.getStatus().getCode().value()).length() + 32;
    String description = e.getStatus().getDescription();
    if (description != null) {
      size += "grpc-message".length() + percentEncode(description).length() + 32;
    }
    Metadata trailers = trailers(e);
    for (String key : trailers.keys()) {
      if (key.endsWith("-bin")) {
        for (byte[] v : trailers.getAll(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER))) {
          size +=
              key.length()
                  + java.util.Base64.getEncoder().withoutPadding().encodeToString(v).length()
                  + 32;
        }
      } else {
        for (String v : trailers.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER))) {
          size += key.length() + v.length() + 32;
        }
      }
    }
    return size;
  }

  static String percentEncode(String text) {
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= ' ' && c < 0x7f && c != '%') {
        out.append((char) c);
      } else {
        out.append('%').append(String.format("%02X", c));
      }
    }
    return out.toString();
  }
}
