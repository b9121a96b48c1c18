package io.github.grpcmiddleware.internal;

import io.grpc.Metadata;
import io.grpc.protobuf.ProtoUtils;

/**
 * The {@code Metadata.Key} of every header and trailer the library reads or writes by name, defined
 * once for all its modules (the testing module, which does not depend on core, has its own).
 *
 * <p>This class is internal and is hence not for public use. Its APIs are unstable and can change
 * at any time.
 */
public final class HeaderKeys {

  /** W3C trace context: the trace id, parent id and flags. */
  public static final Metadata.Key<String> TRACEPARENT = ascii("traceparent");

  /** W3C trace context: the vendors' list that travels with {@link #TRACEPARENT}. */
  public static final Metadata.Key<String> TRACESTATE = ascii("tracestate");

  /** The call's trace id, sent back to the caller in the response headers (or trailers). */
  public static final Metadata.Key<String> TRACE_ID = ascii("x-trace-id");

  /** The caller's request id, mirrored into the MDC (never the trace id). */
  public static final Metadata.Key<String> REQUEST_ID = ascii("x-request-id");

  /** The caller's preferred languages (RFC 9110). */
  public static final Metadata.Key<String> ACCEPT_LANGUAGE = ascii("accept-language");

  /** The language of the message sent (RFC 9110). */
  public static final Metadata.Key<String> CONTENT_LANGUAGE = ascii("content-language");

  /** The caller's credentials ({@code Bearer <token>}). */
  public static final Metadata.Key<String> AUTHORIZATION = ascii("authorization");

  /** The caller's software, for the access log. */
  public static final Metadata.Key<String> USER_AGENT = ascii("user-agent");

  /** gRFC A6: how long a client's retry policy waits, in milliseconds ({@code -1}: never). */
  public static final Metadata.Key<String> RETRY_PUSHBACK_MS = ascii("grpc-retry-pushback-ms");

  /** The {@code google.rpc.Status} with the details of a failed call. */
  public static final Metadata.Key<com.google.rpc.Status> STATUS_DETAILS =
      Metadata.Key.of(
          "grpc-status-details-bin",
          ProtoUtils.metadataMarshaller(com.google.rpc.Status.getDefaultInstance()));

  /** {@link #STATUS_DETAILS} undecoded, for a reader that must survive bytes that do not parse. */
  public static final Metadata.Key<byte[]> STATUS_DETAILS_BYTES =
      Metadata.Key.of(STATUS_DETAILS.name(), Metadata.BINARY_BYTE_MARSHALLER);

  private HeaderKeys() {}

  private static Metadata.Key<String> ascii(String name) {
    return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
  }
}
