package io.github.grpcmiddleware.trace;

import static java.util.Collections.singletonList;

import io.github.grpcmiddleware.internal.W3CTraceContext;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Entry point for trace ids: the server and client interceptors that read, generate, propagate and
 * log them, the accessors for the current call's id, and wrappers that carry a call to other
 * threads.
 *
 * <p>A trace id is always a W3C trace id: 32 lowercase hexadecimal characters, not all zeros. The
 * server interceptor takes it from a valid {@code traceparent} header, or starts a new trace; it
 * keeps it in the call's {@link Context} and mirrors it into the SLF4J MDC around every callback.
 * It belongs outermost in the server chain. The client interceptor sends it on to the next service.
 *
 * <p>This class is thread-safe.
 */
public final class TraceIds {
  private static final MdcScope NOOP_SCOPE = () -> {};

  private TraceIds() {}

  /**
   * Returns the server interceptor with default settings; see {@link TraceServerBuilder}.
   *
   * <p>Register it outermost (in the chain builder's trace slot, or last with {@code
   * ServerBuilder.intercept}, which runs the last interceptor first). Per call it:
   *
   * <ul>
   *   <li>takes the trace id from a valid W3C {@code traceparent}, else starts a new random one; an
   *       invalid, or repeated and conflicting, header never fails the call (logged at DEBUG
   *       without its value);
   *   <li>gives the call a new span id;
   *   <li>keeps both in the call's {@link Context} ({@link #current()}) and puts them in the MDC
   *       ({@code traceId}, {@code spanId}) around every listener callback and around {@code
   *       sendHeaders}, {@code sendMessage} and {@code close}, restoring what the MDC held before;
   *   <li>sends the trace id back in {@code x-trace-id}.
   * </ul>
   *
   * @return the interceptor; never null
   */
  public static ServerInterceptor newServerInterceptor() {
    return serverBuilder().build();
  }

  /**
   * Returns a builder for a configured server interceptor.
   *
   * @return a new builder with the defaults of {@link #newServerInterceptor()}; never null
   */
  public static TraceServerBuilder serverBuilder() {
    return new TraceServerBuilder();
  }

  /**
   * Returns the client interceptor with default settings; see {@link TraceClientBuilder}.
   *
   * <p>Per call it sends a {@code traceparent} with the trace id of the server call whose Context
   * is current (keeping its trace flags and {@code tracestate}), else the valid trace id in the MDC
   * under {@code traceId}, else a new one, with a fresh parent id (the otel module's span id when
   * its span owns the server call). A trace no tracer decided on (started by this client, or by its
   * server call for a caller that sent no valid {@code traceparent}) is sent with flags {@code 01}
   * ("sampled"), so a server whose OpenTelemetry SDK has the default parent-based sampler records
   * it; {@link TraceClientBuilder#sampleNewTraces(boolean)} changes that. Incoming flags are never
   * changed. It injects nothing when the headers already hold a {@code traceparent} (for example
   * from OpenTelemetry). It puts the trace id in the MDC around the client listener callbacks and
   * restores what was there. Register it nearest the channel.
   *
   * @return the interceptor; never null
   */
  public static ClientInterceptor newClientInterceptor() {
    return clientBuilder().build();
  }

  /**
   * Returns a builder for a configured client interceptor.
   *
   * @return a new builder with the defaults of {@link #newClientInterceptor()}; never null
   */
  public static TraceClientBuilder clientBuilder() {
    return new TraceClientBuilder();
  }

  /**
   * Starts a server call whose trace ids were chosen by another owner of the trace id (the otel
   * module's server span), in place of the server interceptor: the ids go into the call's {@link
   * Context} ({@link #current()}, {@link #fromContext}), into the MDC ({@code traceId}, {@code
   * spanId}) around every listener callback and around {@code sendHeaders}, {@code sendMessage} and
   * {@code close}, and the trace id is echoed in {@code x-trace-id}. Then {@code next} is started
   * with that Context attached.
   *
   * <p>Call it from a {@code ServerInterceptor.interceptCall} that takes the trace slot of the
   * chain; do not also install {@link #newServerInterceptor()}. An id that is not a valid W3C id
   * (for example the all-zero ids of a no-op OpenTelemetry) is replaced by a new random one.
   *
   * @param traceId 32 lowercase hex characters; not null
   * @param spanId 16 lowercase hex characters; not null
   * @param call the call; not null
   * @param headers the call's headers; not null
   * @param next the rest of the chain; not null
   * @param <ReqT> request type
   * @param <RespT> response type
   * @return the listener to return from {@code interceptCall}; never null
   */
  public static <ReqT, RespT> ServerCall.Listener<ReqT> startCall(
      String traceId,
      String spanId,
      ServerCall<ReqT, RespT> call,
      Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    return start(traceId, spanId, CallTrace.STARTED_HERE, null, call, headers, next);
  }

  /**
   * Starts a server call whose trace ids and sampling decision were chosen by another owner of the
   * trace id (the otel module's server span), as {@link #startCall(String, String, ServerCall,
   * Metadata, ServerCallHandler)} does, and keeps what an outgoing call needs to continue that
   * span: core's client interceptor then sends {@code spanId} as the parent id, {@code sampled} as
   * the trace flags and {@code traceState} as the {@code tracestate}.
   *
   * @param traceId 32 lowercase hex characters; not null
   * @param spanId 16 lowercase hex characters; not null
   * @param sampled whether the span's tracer sampled it
   * @param traceState the span's {@code tracestate} list, or {@code null} when empty
   * @param call the call; not null
   * @param headers the call's headers; not null
   * @param next the rest of the chain; not null
   * @param <ReqT> request type
   * @param <RespT> response type
   * @return the listener to return from {@code interceptCall}; never null
   */
  public static <ReqT, RespT> ServerCall.Listener<ReqT> startCall(
      String traceId,
      String spanId,
      boolean sampled,
      @Nullable String traceState,
      ServerCall<ReqT, RespT> call,
      Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    int flags = sampled ? TraceClientInterceptor.SAMPLED : 0;
    return start(traceId, spanId, flags, traceState, call, headers, next);
  }

  private static <ReqT, RespT> ServerCall.Listener<ReqT> start(
      String traceId,
      String spanId,
      int flags,
      @Nullable String traceState,
      ServerCall<ReqT, RespT> call,
      Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    boolean valid =
        TraceParent.isValidTraceId(traceId)
            && spanId.length() == 16
            && TraceParent.isHexNotAllZeros(spanId, 0, 16);
    String state =
        traceState == null ? null : W3CTraceContext.traceState(singletonList(traceState));
    CallTrace trace =
        valid
            ? new CallTrace(traceId, spanId, flags, state, null, MdcKeys.DEFAULT, true)
            : new CallTrace(
                RandomIds.traceId(),
                RandomIds.spanId(),
                CallTrace.STARTED_HERE,
                null,
                null,
                MdcKeys.DEFAULT);
    return TraceServerInterceptor.start(Context.current(), trace, true, call, headers, next);
  }

  /**
   * Returns the trace id of a valid {@code traceparent} in {@code headers}: what a client call with
   * these headers sends, or what a server call with them received.
   *
   * @param headers the headers; not null
   * @return the id, or {@code null} when there is no valid {@code traceparent} (absent, invalid, or
   *     sent twice with different values)
   */
  public static @Nullable String fromHeaders(Metadata headers) {
    String value = TraceParent.singleValue(headers, TraceParent.TRACEPARENT);
    TraceParent parsed = value == null ? null : TraceParent.parse(value);
    return parsed == null ? null : parsed.traceId;
  }

  /**
   * Returns the trace id of the call that the current {@link Context} belongs to.
   *
   * @return the id, or {@code null} when no trace interceptor put one in the current Context
   */
  public static @Nullable String current() {
    CallTrace trace = CallTrace.current();
    return trace == null ? null : trace.traceId;
  }

  /**
   * Returns the trace id held in the given {@link Context}.
   *
   * @param context a Context captured from a call; not null
   * @return the id, or {@code null} when the Context holds none
   */
  public static @Nullable String fromContext(Context context) {
    CallTrace trace = CallTrace.from(context);
    return trace == null ? null : trace.traceId;
  }

  /**
   * Puts the MDC entries of the call whose {@link Context} is given (trace id, span id and request
   * id, under the keys the server interceptor was built with) on the current thread, for code that
   * logs outside a listener callback, such as in {@code ServerCall.close}.
   *
   * @param callContext a Context captured from a call; not null
   * @return a scope whose {@code close()} restores the previous entries; never null (a no-op scope
   *     when the Context holds no trace)
   */
  public static MdcScope mdcScope(Context callContext) {
    CallTrace trace = CallTrace.from(callContext);
    return trace == null ? NOOP_SCOPE : trace.open();
  }

  /**
   * Wraps a task so that it runs with the {@link Context} current now and the MDC entries of the
   * call it belongs to, restoring the running thread's Context and MDC afterwards. Use it to hand
   * work of a call to a thread of your own.
   *
   * @param task the task; not null
   * @return the wrapped task; never null
   */
  public static Runnable wrap(Runnable task) {
    return new TracingRunnable(Objects.requireNonNull(task, "task"), Context.current());
  }

  /**
   * Wraps an executor so that each task runs with the {@link Context} current when it was submitted
   * and the MDC entries of that call, as {@link #wrap(Runnable)} does.
   *
   * @param executor the executor; not null
   * @return the wrapping executor; never null
   */
  public static Executor wrap(Executor executor) {
    Objects.requireNonNull(executor, "executor");
    return task -> executor.execute(wrap(task));
  }

  static void checkKeys(String... keys) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i].isEmpty()) {
        throw new IllegalArgumentException("MDC key: \"\" (expected: not empty)");
      }
      for (int j = 0; j < i; j++) {
        if (keys[i].equals(keys[j])) {
          throw new IllegalArgumentException(
              "MDC key: " + keys[i] + " used twice (expected: distinct keys)");
        }
      }
    }
  }
}
