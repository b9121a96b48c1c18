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
public final class TraceIdsClientBuilder {
  private String traceIdMdcKey = MdcKeys.DEFAULT.traceId;
  private String spanIdMdcKey = MdcKeys.DEFAULT_SPAN_ID;
  private boolean sampleNewTraces = true;

  TraceIdsClientBuilder() {}

  /**
   * Sets the MDC key of the trace id: read when no server call is current, and set around the
   * client callbacks.
   *
   * @param key not null, not empty, different from the span id key; default {@code traceId}
   * @return this builder
   */
  public TraceIdsClientBuilder traceIdMdcKey(String key) {
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
  public TraceIdsClientBuilder spanIdMdcKey(String key) {
    this.spanIdMdcKey = Objects.requireNonNull(key, "key");
    return this;
  }

  /**
   * Sets the W3C {@code sampled} flag sent for a trace that no tracer has decided on: one this
   * client starts (no server call is current), or one its server call started because the caller
   * sent no valid {@code traceparent}.
   *
   * <p>With {@code true} (the default) such calls are sent with flags {@code 01}, so a server whose
   * OpenTelemetry SDK uses the default parent-based sampler records them. With {@code false} they
   * are sent with {@code 00}, and such a server records nothing for them. Either way, a trace that
   * arrived with a {@code traceparent} (or belongs to the otel module's span) keeps its flags: an
   * upstream tracer's {@code sampled=0} is never turned into {@code 01}, nor the reverse.
   *
   * @param sampled default {@code true}
   * @return this builder
   */
  public TraceIdsClientBuilder sampleNewTraces(boolean sampled) {
    this.sampleNewTraces = sampled;
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
    return new TraceIdsClientInterceptor(
        new MdcKeys(traceIdMdcKey, spanIdMdcKey, MdcKeys.DEFAULT.requestId), sampleNewTraces);
  }
}
