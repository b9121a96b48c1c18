package io.github.grpcmiddleware.trace;

import io.grpc.ClientInterceptor;
import java.util.Objects;

/**
 * Configures the client interceptor of {@link TraceIds}; get one from {@link
 * TraceIds#clientBuilder()}.
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs, and the interceptor it returns is
 * immutable and thread-safe.
 */
public final class TraceClientBuilder {
  private String traceIdMdcKey = MdcKeys.DEFAULT.traceId;
  private String spanIdMdcKey = MdcKeys.DEFAULT_SPAN_ID;

  TraceClientBuilder() {}

  /**
   * Sets the MDC key of the trace id: read when no server call is current, and set around the
   * client callbacks.
   *
   * @param key not null, not empty, different from the span id key; default {@code traceId}
   * @return this builder
   */
  public TraceClientBuilder traceIdMdcKey(String key) {
    this.traceIdMdcKey = Objects.requireNonNull(key, "key");
    return this;
  }

  /**
   * Sets the MDC key under which the current server call's span id is set around the client
   * callbacks, when that call has one (the server interceptor was given a span id key, or the otel
   * module's span owns the call).
   *
   * @param key not null, not empty, different from the trace id key; default {@code spanId}
   * @return this builder
   */
  public TraceClientBuilder spanIdMdcKey(String key) {
    this.spanIdMdcKey = Objects.requireNonNull(key, "key");
    return this;
  }

  /**
   * Builds the interceptor.
   *
   * @return the interceptor; never null
   * @throws IllegalArgumentException when a key is empty or two keys are equal
   */
  public ClientInterceptor build() {
    TraceIds.checkKeys(traceIdMdcKey, spanIdMdcKey);
    return new TraceClientInterceptor(
        new MdcKeys(traceIdMdcKey, spanIdMdcKey, MdcKeys.DEFAULT.requestId));
  }
}
