package io.github.grpcmiddleware.trace;

import io.github.grpcmiddleware.internal.HeaderKeys;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Metadata;
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
   * Returns the server interceptor with default settings; see {@link TraceIdsServerBuilder}.
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
  public static TraceIdsServerBuilder serverBuilder() {
    return new TraceIdsServerBuilder();
  }

  /**
   * Returns the client interceptor with default settings; see {@link TraceIdsClientBuilder}.
   *
   * <p>Per call it sends a {@code traceparent} with the trace id of the server call whose Context
   * is current (keeping its trace flags and {@code tracestate}), else the valid trace id in the MDC
   * under {@code traceId}, else a new one, with a fresh parent id (the otel module's span id when
   * its span owns the server call). A trace no tracer decided on (started by this client, or by its
   * server call for a caller that sent no valid {@code traceparent}) is sent with flags {@code 01}
   * ("sampled"), so a server whose OpenTelemetry SDK has the default parent-based sampler records
   * it; {@link TraceIdsClientBuilder#sampleNewTraces(boolean)} changes that. Incoming flags are
   * never changed. It injects nothing when the headers already hold a {@code traceparent} (for
   * example from OpenTelemetry). It puts the trace id in the MDC around the client listener
   * callbacks and restores what was there. Register it nearest the channel.
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
  public static TraceIdsClientBuilder clientBuilder() {
    return new TraceIdsClientBuilder();
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
    Objects.requireNonNull(headers, "headers");
    String value = TraceParent.singleValue(headers, HeaderKeys.TRACEPARENT);
    TraceParent parsed = value == null ? null : TraceParent.parse(value);
    return parsed == null ? null : parsed.traceId;
  }

  /**
   * Returns the trace id of the call that the current {@link Context} belongs to.
   *
   * @return the id, or {@code null} when no trace interceptor put one in the current Context
   */
  public static @Nullable String current() {
    ServerCallScope scope = ServerCallScope.current();
    return scope == null ? null : scope.traceId();
  }

  /**
   * Returns the trace id held in the given {@link Context}.
   *
   * @param context a Context captured from a call; not null
   * @return the id, or {@code null} when the Context holds none
   */
  public static @Nullable String fromContext(Context context) {
    ServerCallScope scope = ServerCallScope.fromContext(Objects.requireNonNull(context, "context"));
    return scope == null ? null : scope.traceId();
  }

  /**
   * Puts the MDC entries of the call whose {@link Context} is given (trace id, span id and request
   * id, locale and principal, under the keys their parts were built with) on the current thread,
   * for code that logs outside a listener callback, such as in {@code ServerCall.close}.
   *
   * @param callContext a Context captured from a call; not null
   * @return a scope whose {@code close()} restores the previous entries; never null (a no-op scope
   *     when the Context holds no trace)
   */
  public static MdcScope mdcScope(Context callContext) {
    ServerCallScope scope =
        ServerCallScope.fromContext(Objects.requireNonNull(callContext, "callContext"));
    if (scope == null) {
      return NOOP_SCOPE;
    }
    @Nullable String[] saved = scope.putMdcEntries();
    return () -> scope.restoreMdcEntries(saved);
  }

  /**
   * Wraps a task so that it runs with the {@link Context} current now and the MDC entries of the
   * call it belongs to, restoring the running thread's Context and MDC afterwards. Use it to hand
   * work of a call to a thread of your own. Once the otel module's {@code GrpcTracing} is in use,
   * the OpenTelemetry Context current now (the call's span and baggage) is carried too, so a call
   * the task makes through {@code GrpcTracing}'s client interceptor stays in the trace.
   *
   * @param task the task; not null
   * @return the wrapped task; never null
   */
  public static Runnable wrap(Runnable task) {
    return new TracingRunnable(Objects.requireNonNull(task, "task"), Context.current());
  }

  /**
   * Wraps an executor so that each task runs with the {@link Context} current when it was submitted
   * and the MDC entries of that call (and, with the otel module, the OpenTelemetry Context), as
   * {@link #wrap(Runnable)} does.
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
