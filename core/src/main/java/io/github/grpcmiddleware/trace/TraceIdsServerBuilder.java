package io.github.grpcmiddleware.trace;

import io.grpc.ServerInterceptor;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Configures the server interceptor of {@link TraceIds}; get one from {@link
 * TraceIds#serverBuilder()}.
 *
 * <p>Defaults: MDC keys {@code traceId} and {@code requestId}, no span id in the MDC (see {@link
 * #spanIdMdcKey(String)}); {@code x-request-id} read (at most 64 characters of {@code
 * [A-Za-z0-9._-]}, otherwise ignored); the trace id echoed in {@code x-trace-id}.
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs, and the interceptor it returns is
 * immutable and thread-safe.
 */
public final class TraceIdsServerBuilder {
  static final int MAX_REQUEST_ID_LENGTH_LIMIT = 256;

  private String traceIdMdcKey = MdcKeys.DEFAULT.traceId;
  private @Nullable String spanIdMdcKey;
  private String requestIdMdcKey = MdcKeys.DEFAULT.requestId;
  private boolean readRequestId = true;
  private int maxRequestIdLength = 64;
  private boolean echoTraceId = true;

  TraceIdsServerBuilder() {}

  /**
   * Sets the MDC key of the trace id.
   *
   * @param key not null, not empty, different from the other keys; default {@code traceId}
   * @return this builder
   */
  public TraceIdsServerBuilder traceIdMdcKey(String key) {
    this.traceIdMdcKey = Objects.requireNonNull(key, "key");
    return this;
  }

  /**
   * Gives each call a random span id and puts it in the MDC under {@code key}, beside the trace id.
   *
   * <p>Off by default. Without a tracing system the span id is not sent anywhere (an outgoing call
   * gets a parent id of its own in {@code traceparent}); it only tells apart the log lines of
   * several calls of one trace on this server. It costs a second MDC entry on every callback, so
   * only ask for it when your log pattern uses it. The otel module's spans always put their real
   * span id under {@code spanId}.
   *
   * @param key not null, not empty, different from the other keys; {@code spanId} is the usual name
   * @return this builder
   */
  public TraceIdsServerBuilder spanIdMdcKey(String key) {
    this.spanIdMdcKey = Objects.requireNonNull(key, "key");
    return this;
  }

  /**
   * Sets the MDC key of the sanitised {@code x-request-id}.
   *
   * @param key not null, not empty, different from the other keys; default {@code requestId}
   * @return this builder
   */
  public TraceIdsServerBuilder requestIdMdcKey(String key) {
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
  public TraceIdsServerBuilder readRequestId(boolean enabled) {
    this.readRequestId = enabled;
    return this;
  }

  /**
   * Sets the longest {@code x-request-id} that is accepted.
   *
   * @param length 1 to 256; default 64
   * @return this builder
   */
  public TraceIdsServerBuilder maxRequestIdLength(int length) {
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
  public TraceIdsServerBuilder echoTraceId(boolean enabled) {
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
    String spanKey = spanIdMdcKey;
    if (spanKey == null) {
      TraceIds.checkKeys(traceIdMdcKey, requestIdMdcKey);
    } else {
      TraceIds.checkKeys(traceIdMdcKey, spanKey, requestIdMdcKey);
    }
    return new TraceIdsServerInterceptor(
        new MdcKeys(traceIdMdcKey, spanIdMdcKey, requestIdMdcKey),
        readRequestId,
        maxRequestIdLength,
        echoTraceId);
  }
}
