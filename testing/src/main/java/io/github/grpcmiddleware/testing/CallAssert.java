package io.github.grpcmiddleware.testing;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Assertions on the outcome of running a call, obtained from {@link GrpcAssertions#assertThatCall}.
 * The call runs once, when this object is created.
 *
 * <p>This class is immutable and thread-safe.
 */
public final class CallAssert {
  private final @Nullable Throwable thrown;

  CallAssert(GrpcAssertions.ThrowingCall call) {
    Throwable caught = null;
    try {
      call.call();
    } catch (Throwable t) {
      caught = t;
    }
    this.thrown = caught;
  }

  /**
   * Asserts that the call failed with a gRPC status of a code.
   *
   * @param code the expected code; not null, not {@code OK}
   * @return assertions on the status; never null
   */
  public StatusAssert failsWith(Status.Code code) {
    Objects.requireNonNull(code, "code");
    return fails("with " + code).hasCode(code);
  }

  /**
   * Asserts that the call failed with any gRPC status.
   *
   * @return assertions on the status; never null
   */
  public StatusAssert fails() {
    return fails("with a gRPC status");
  }

  /** Asserts that the call completed without throwing. */
  public void succeeds() {
    if (thrown != null) {
      StatusException status = findStatus(thrown);
      throw new AssertionError(
          "Expected the call to succeed\nbut it threw "
              + thrown
              + (status == null
                  ? ""
                  : ":\n" + new StatusReport(status.getStatus(), status.getTrailers())),
          thrown);
    }
  }

  private StatusAssert fails(String what) {
    Throwable t = thrown;
    if (t == null) {
      throw new AssertionError("Expected the call to fail " + what + "\nbut it completed normally");
    }
    StatusException status = findStatus(t);
    if (status == null) {
      throw new AssertionError(
          "Expected the call to fail " + what + "\nbut it threw " + t + " (no gRPC status)", t);
    }
    return new StatusAssert(status.getStatus(), status.getTrailers());
  }

  /** The first StatusRuntimeException or StatusException in the cause chain, as a pair. */
  static @Nullable StatusException findStatus(Throwable thrown) {
    Throwable current = thrown;
    for (int depth = 0; current != null && depth < 32; depth++) {
      if (current instanceof StatusRuntimeException) {
        StatusRuntimeException e = (StatusRuntimeException) current;
        return new StatusException(e.getStatus(), trailersOf(e.getTrailers()));
      }
      if (current instanceof StatusException) {
        return (StatusException) current;
      }
      current = current.getCause();
    }
    return null;
  }

  private static Metadata trailersOf(@Nullable Metadata trailers) {
    return trailers == null ? new Metadata() : trailers;
  }
}
