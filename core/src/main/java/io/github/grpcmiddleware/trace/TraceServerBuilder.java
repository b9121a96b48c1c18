package io.github.grpcmiddleware.trace;

import io.grpc.ServerInterceptor;
import java.util.Objects;

/**
 * Configures the server interceptor of {@link TraceIds}; get one from {@link
 * TraceIds#serverBuilder()}.
 *
 * <p>Defaults: MDC keys {@code traceId}, {@code spanId} and {@code requestId}; {@code x-request-id}
 * read (at most 64 characters of {@code [A-Za-z0-9._-]}, otherwise ignored); the trace id echoed in
 * {@code x-trace-id}.
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs, and the interceptor it returns is
 * immutable and thread-safe.
 */
public final class TraceServerBuilder {
  static final int MAX_REQUEST_ID_LENGTH_LIMIT = 256;

  private String traceIdMdcKey = MdcKeys.DEFAULT.traceId;
  private String spanIdMdcKey = MdcKeys.DEFAULT.spanId;
  private String requestIdMdcKey = MdcKeys.DEFAULT.requestId;
  private boolean readRequestId = true;
  private int maxRequestIdLength = 64;
  private boolean echoTraceId = true;

  TraceServerBuilder() {}

  /**
   * Sets the MDC key of the trace id.
   *
   * @param key not null, not empty, different from the other keys; default {@code traceId}
   * @return this builder
   */
  public TraceServerBuilder traceIdMdcKey(String key) {
    this.traceIdMdcKey = Objects.requireNonNull(key, "key");
    return this;
  }

  /**
   * Sets the MDC key of the span id this server gives each call.
   *
   * @param key not null, not empty, different from the other keys; default {@code spanId}
   * @return this builder
   */
  public TraceServerBuilder spanIdMdcKey(String key) {
    this.spanIdMdcKey = Objects.requireNonNull(key, "key");
    return this;
  }

  /**
   * Sets the MDC key of the sanitised {@code x-request-id}.
   *
   * @param key not null, not empty, different from the other keys; default {@code requestId}
   * @return this builder
   */
  public TraceServerBuilder requestIdMdcKey(String key) {
    this.requestIdMdcKey = Objects.requireNonNull(key, "key");
    return this;
  }

  /**
   * Sets whether the caller's {@code x-request-id} is mirrored into the MDC. It never becomes the
   * trace id. A value longer than {@link #maxRequestIdLength(int)}, empty, sent twice with
   * different values, or holding any character outside {@code [A-Za-z0-9._-]} is ignored as a
   * whole, so it cannot forge a log line.
   *
   * @param enabled default {@code true}
   * @return this builder
   */
  public TraceServerBuilder readRequestId(boolean enabled) {
    this.readRequestId = enabled;
    return this;
  }

  /**
   * Sets the longest {@code x-request-id} that is accepted.
   *
   * @param length 1 to 256; default 64
   * @return this builder
   */
  public TraceServerBuilder maxRequestIdLength(int length) {
    this.maxRequestIdLength = length;
    return this;
  }

  /**
   * Sets whether the trace id is sent back in response header {@code x-trace-id} (and in the
   * trailers when the call closes before sending headers).
   *
   * @param enabled default {@code true}
   * @return this builder
   */
  public TraceServerBuilder echoTraceId(boolean enabled) {
    this.echoTraceId = enabled;
    return this;
  }

  /**
   * Builds the interceptor.
   *
   * @return the interceptor; never null
   * @throws IllegalArgumentException when a setting is out of range
   */
  public ServerInterceptor build() {
    if (maxRequestIdLength < 1 || maxRequestIdLength > MAX_REQUEST_ID_LENGTH_LIMIT) {
      throw new IllegalArgumentException(
          "maxRequestIdLength: " + maxRequestIdLength + " (expected: 1..256)");
    }
    TraceIds.checkKeys(traceIdMdcKey, spanIdMdcKey, requestIdMdcKey);
    return new TraceServerInterceptor(
        new MdcKeys(traceIdMdcKey, spanIdMdcKey, requestIdMdcKey),
        readRequestId,
        maxRequestIdLength,
        echoTraceId);
  }
}
