package io.github.grpcmiddleware.testing;

import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One call as a {@link ClientCallCapture} saw it on the client: the request headers it sent, and
 * the response headers, status and trailers it received.
 *
 * <p>Values are filled in while the call runs. This class is thread-safe.
 */
public final class CapturedClientCall {
  private final String methodName;
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile @Nullable Metadata requestHeaders;
  private volatile @Nullable Metadata responseHeaders;
  private volatile @Nullable Status status;
  private volatile @Nullable Metadata trailers;

  CapturedClientCall(String methodName) {
    this.methodName = methodName;
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
   * Returns a copy of the request headers as they passed the capture's interceptor.
   *
   * @return the headers, or null when the call was not started
   */
  public @Nullable Metadata requestHeaders() {
    return copyOrNull(requestHeaders);
  }

  /**
   * Returns a copy of the response headers.
   *
   * @return the headers, or null when none arrived (for example a trailers-only error response)
   */
  public @Nullable Metadata responseHeaders() {
    return copyOrNull(responseHeaders);
  }

  /**
   * Returns the last value of an ASCII response header.
   *
   * @param name the header name, case-insensitive; not null, not ending in {@code -bin}
   * @return the value, or null when absent or no headers arrived
   */
  public @Nullable String responseHeader(String name) {
    Objects.requireNonNull(name, "name");
    Metadata headers = responseHeaders;
    return headers == null ? null : headers.get(asciiKey(name));
  }

  /**
   * Returns the status the client received.
   *
   * @return the status, or null while the call is open
   */
  public @Nullable Status status() {
    return status;
  }

  /**
   * Returns a copy of the trailers the client received.
   *
   * @return the trailers, or null while the call is open
   */
  public @Nullable Metadata trailers() {
    return copyOrNull(trailers);
  }

  /**
   * Returns the last value of an ASCII trailer.
   *
   * @param name the trailer name, case-insensitive; not null, not ending in {@code -bin}
   * @return the value, or null when absent or the call is open
   */
  public @Nullable String trailer(String name) {
    Objects.requireNonNull(name, "name");
    Metadata received = trailers;
    return received == null ? null : received.get(asciiKey(name));
  }

  /**
   * Waits until the call has closed, for asynchronous stubs.
   *
   * @param timeout how long to wait; not null
   * @return this call
   * @throws AssertionError when the call does not close in time
   */
  public CapturedClientCall awaitClose(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    try {
      if (!closed.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new AssertionError(
            "call " + methodName + " did not close within " + timeout.toMillis() + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for call " + methodName, e);
    }
    return this;
  }

  void onStart(Metadata headers) {
    requestHeaders = Metadatas.copy(headers);
  }

  void onHeaders(Metadata headers) {
    responseHeaders = Metadatas.copy(headers);
  }

  void onClose(Status received, Metadata receivedTrailers) {
    trailers = Metadatas.copy(receivedTrailers);
    status = received;
    closed.countDown();
  }

  private static @Nullable Metadata copyOrNull(@Nullable Metadata metadata) {
    return metadata == null ? null : Metadatas.copy(metadata);
  }

  private static Metadata.Key<String> asciiKey(String name) {
    return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
  }

  @Override
  public String toString() {
    return "CapturedClientCall{"
        + methodName
        + ", status="
        + status
        + ", responseHeaders="
        + responseHeaders
        + ", trailers="
        + trailers
        + "}";
  }
}
