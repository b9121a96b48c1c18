package io.github.grpcmiddleware.testing;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Entry point of the assertions on gRPC outcomes, which read like a sentence:
 *
 * <pre>{@code
 * assertThatCall(() -> stub.unaryRpc(request))
 *     .failsWith(Status.Code.NOT_FOUND)
 *     .withDescriptionContaining("7")
 *     .withLocalizedMessage("zh-CN", "找不到用户 7")
 *     .withErrorInfoReason("USER_NOT_FOUND")
 *     .withTrailerMatching("x-trace-id", "[0-9a-f]{32}");
 * }</pre>
 *
 * <p>They need no assertion library: a failed assertion throws {@link AssertionError} with the
 * whole status (code, description, decoded {@code google.rpc} details, trailers) in its message.
 * They mix freely with AssertJ, Hamcrest or JUnit's own assertions, and {@link
 * StatusAssert#status()}, {@link StatusAssert#trailers()} and {@link StatusAssert#details} hand the
 * values over to them.
 *
 * <p>This class is thread-safe.
 */
public final class GrpcAssertions {
  private GrpcAssertions() {}

  /**
   * A call to run and check, for example {@code () -> stub.unaryRpc(request)}.
   *
   * <p>For a server-streaming blocking stub, consume the iterator inside: {@code () ->
   * stub.serverStreamingRpc(request).forEachRemaining(r -> {})}.
   */
  @FunctionalInterface
  public interface ThrowingCall {
    /**
     * Runs the call.
     *
     * @throws Throwable whatever the call throws
     */
    void call() throws Throwable;
  }

  /**
   * Runs a call now and returns assertions on how it ended.
   *
   * @param call the call; not null
   * @return the assertions; never null
   */
  public static CallAssert assertThatCall(ThrowingCall call) {
    Objects.requireNonNull(call, "call");
    return new CallAssert(call);
  }

  /**
   * Returns assertions on the status and trailers of an exception a stub threw.
   *
   * @param exception the exception; not null
   * @return the assertions; never null
   */
  public static StatusAssert assertThat(StatusRuntimeException exception) {
    Objects.requireNonNull(exception, "exception");
    return new StatusAssert(exception.getStatus(), exception.getTrailers());
  }

  /**
   * Returns assertions on the status and trailers of a checked status exception.
   *
   * @param exception the exception; not null
   * @return the assertions; never null
   */
  public static StatusAssert assertThat(StatusException exception) {
    Objects.requireNonNull(exception, "exception");
    return new StatusAssert(exception.getStatus(), exception.getTrailers());
  }

  /**
   * Returns assertions on a status and its trailers, for example the ones an asynchronous
   * observer's {@code onError} received.
   *
   * @param status the status; not null
   * @param trailers the trailers; null means none
   * @return the assertions; never null
   */
  public static StatusAssert assertThat(Status status, @Nullable Metadata trailers) {
    Objects.requireNonNull(status, "status");
    return new StatusAssert(status, trailers);
  }

  /**
   * Returns assertions on the status and trailers a {@link ClientCallCapture} recorded.
   *
   * @param call the captured call; not null
   * @return the assertions; never null
   * @throws AssertionError when the call has not closed yet
   */
  public static StatusAssert assertThat(CapturedClientCall call) {
    Objects.requireNonNull(call, "call");
    Status status = call.status();
    if (status == null) {
      throw new AssertionError(
          "call " + call.methodName() + " has not closed yet; use awaitClose(...) first");
    }
    return new StatusAssert(status, call.trailers());
  }
}
