package io.github.grpcmiddleware.trace;

import io.grpc.ClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.Status;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * Puts a call's trace id (and span id, when its key is set) in the MDC around every client listener
 * callback and restores what the MDC held before. grpc-java never runs a call's listener callbacks
 * at the same time, so the values saved by one bracket live in fields: a callback allocates
 * nothing, and the call's entries and saved values are this one object.
 */
final class TraceClientListener<RespT> extends SimpleForwardingClientCallListener<RespT> {
  private final MdcKeys keys;
  private final String traceId;
  private final @Nullable String spanId;
  private @Nullable String savedTrace;
  private @Nullable String savedSpan;

  /**
   * Wraps {@code delegate}; {@code spanId} is put only when {@code keys} has a span id key.
   *
   * @throws IllegalArgumentException when {@code spanId} is given without a span id key
   */
  TraceClientListener(
      ClientCall.Listener<RespT> delegate, MdcKeys keys, String traceId, @Nullable String spanId) {
    super(delegate);
    if (spanId != null && keys.spanId == null) {
      throw new IllegalArgumentException("spanId without a span id MDC key");
    }
    this.keys = keys;
    this.traceId = traceId;
    this.spanId = spanId;
  }

  private void enter() {
    savedTrace = MDC.get(keys.traceId);
    MDC.put(keys.traceId, traceId);
    String spanKey = keys.spanId;
    if (spanId != null && spanKey != null) {
      savedSpan = MDC.get(spanKey);
      MDC.put(spanKey, spanId);
    }
  }

  private void exit() {
    restore(keys.traceId, savedTrace);
    savedTrace = null;
    String spanKey = keys.spanId;
    if (spanId != null && spanKey != null) {
      restore(spanKey, savedSpan);
      savedSpan = null;
    }
  }

  private static void restore(String key, @Nullable String previous) {
    if (previous == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, previous);
    }
  }

  @Override
  public void onHeaders(Metadata headers) {
    enter();
    try {
      super.onHeaders(headers);
    } finally {
      exit();
    }
  }

  @Override
  public void onMessage(RespT message) {
    enter();
    try {
      super.onMessage(message);
    } finally {
      exit();
    }
  }

  @Override
  public void onClose(Status status, Metadata trailers) {
    enter();
    try {
      super.onClose(status, trailers);
    } finally {
      exit();
    }
  }

  @Override
  public void onReady() {
    enter();
    try {
      super.onReady();
    } finally {
      exit();
    }
  }
}
