package io.github.grpcmiddleware.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records what the SLF4J MDC holds on the thread that calls {@link #capture()}, for a test's
 * service to call from its handler (or from any thread the call hops to).
 *
 * <pre>{@code
 * MdcCapture mdc = MdcCapture.create();
 * // in the test's service:  mdc.capture(); responseObserver.onNext(...);
 * // in the test:            assertThat(mdc.last()).containsEntry("traceId", traceId);
 * }</pre>
 *
 * <p>Needs {@code org.slf4j:slf4j-api} (an optional dependency of this module). For the MDC that
 * interceptors set around each listener callback without touching the service, see {@link
 * ServerCallCapture}. This class is thread-safe.
 */
public final class MdcCapture {
  private final List<Map<String, String>> snapshots = new CopyOnWriteArrayList<>();

  private MdcCapture() {}

  /**
   * Returns a new, empty capture.
   *
   * @return the capture; never null
   * @throws IllegalStateException when slf4j-api is not on the class path
   */
  public static MdcCapture create() {
    if (!Slf4jMdc.AVAILABLE) {
      throw new IllegalStateException(
          "MdcCapture needs org.slf4j:slf4j-api on the test class path"
              + " (it is an optional dependency of grpc-middleware-testing)");
    }
    return new MdcCapture();
  }

  /** Records an immutable copy of the current thread's MDC (an empty map when it is empty). */
  public void capture() {
    snapshots.add(Slf4jMdc.copy());
  }

  /**
   * Returns the most recent snapshot.
   *
   * @return an unmodifiable map; never null
   * @throws AssertionError when {@link #capture()} was never called (the handler did not run)
   */
  public Map<String, String> last() {
    int size = snapshots.size();
    if (size == 0) {
      throw new AssertionError(
          "MdcCapture: capture() was never called; did the handler run, and does it call it?");
    }
    return snapshots.get(size - 1);
  }

  /**
   * Returns every snapshot, oldest first.
   *
   * @return an unmodifiable copy; never null, may be empty
   */
  public List<Map<String, String>> all() {
    return Collections.unmodifiableList(new ArrayList<>(snapshots));
  }

  /** Forgets every snapshot. */
  public void clear() {
    snapshots.clear();
  }
}
