package io.github.grpcmiddleware.testing;

import io.grpc.Metadata;
import io.grpc.Status;
import java.util.Collections;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One call as a {@link ServerCallCapture} saw it on the server: the request headers, the MDC and
 * thread of the latest {@code onMessage}/{@code onHalfClose} callback (where handlers run), and the
 * status the server closed the call with.
 *
 * <p>Values that arrive later (MDC, close status) are updated while the call runs. This class is
 * thread-safe.
 */
public final class CapturedServerCall {
  private final String methodName;
  private final Metadata headers;
  private volatile Map<String, String> mdc = Collections.emptyMap();
  private volatile @Nullable String handlerThread;
  private volatile @Nullable Status closeStatus;
  private volatile @Nullable Metadata closeTrailers;

  CapturedServerCall(String methodName, Metadata headers) {
    this.methodName = methodName;
    this.headers = Metadatas.copy(headers);
  }

  /**
   * Returns the full method name, for example {@code grpc.testing.SimpleService/UnaryRpc}.
   *
   * @return the name; never null
   */
  public String methodName() {
    return methodName;
  }

  /**
   * Returns a copy of the request headers as they reached the capture's interceptor.
   *
   * @return a new Metadata on each call; never null
   */
  public Metadata headers() {
    return Metadatas.copy(headers);
  }

  /**
   * Returns the last value of an ASCII request header.
   *
   * @param name the header name, case-insensitive; not null, not ending in {@code -bin}
   * @return the value, or null when absent
   */
  public @Nullable String header(String name) {
    return headers.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
  }

  /**
   * Returns what the SLF4J MDC held at the start of the latest {@code onMessage} or {@code
   * onHalfClose} callback, on the thread that ran it.
   *
   * @return an unmodifiable map; empty when no such callback ran yet or SLF4J is absent
   */
  public Map<String, String> mdc() {
    return mdc;
  }

  /**
   * Returns the name of the thread that ran the latest {@code onMessage} or {@code onHalfClose}.
   *
   * @return the name, or null when no such callback ran yet
   */
  public @Nullable String handlerThread() {
    return handlerThread;
  }

  /**
   * Returns the status the server closed the call with, as the capture's interceptor saw it.
   *
   * @return the status, or null while the call is open (or when it ended only by cancellation)
   */
  public @Nullable Status closeStatus() {
    return closeStatus;
  }

  /**
   * Returns a copy of the trailers the server closed the call with.
   *
   * @return the trailers, or null while the call is open
   */
  public @Nullable Metadata closeTrailers() {
    Metadata trailers = closeTrailers;
    return trailers == null ? null : Metadatas.copy(trailers);
  }

  void onCallback() {
    mdc = Slf4jMdc.copy();
    handlerThread = Thread.currentThread().getName();
  }

  void onClose(Status status, Metadata trailers) {
    closeTrailers = Metadatas.copy(trailers);
    closeStatus = status;
  }

  @Override
  public String toString() {
    return "CapturedServerCall{"
        + methodName
        + ", headers="
        + headers
        + ", mdc="
        + mdc
        + ", closeStatus="
        + closeStatus
        + "}";
  }
}
