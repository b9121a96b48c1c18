package io.github.grpcmiddleware.examples;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * What one call and one connection may make the server hold, and the limits derived from the JVM's
 * own: {@code -XX:MaxDirectMemorySize} (where Netty keeps the bytes of requests and responses),
 * {@code -Xmx} (connection state) and the process's file descriptor limit ({@code ulimit -n}).
 * {@code docs/production.md} ("Memory budget") explains each number.
 *
 * <p>Instances are immutable and thread-safe.
 */
final class MemoryBudget {
  /**
   * What grpc-java lets a handler queue per call before {@code isReady()} turns false (its default
   * on-ready threshold), so the outbound share of a call that respects flow control.
   */
  static final int OUTBOUND_PER_CALL = 32 * 1024;

  /**
   * Heap per open connection after the HTTP/2 preface, with no call: about 7 KiB measured (4,000
   * connections added 27 MiB to the example server, after a full GC), rounded up.
   */
  static final int HEAP_PER_CONNECTION = 8 * 1024;

  private final long maxDirectMemory;
  private final long maxHeap;
  private final long maxFileDescriptors;
  private final long openFileDescriptors;

  MemoryBudget(
      long maxDirectMemory, long maxHeap, long maxFileDescriptors, long openFileDescriptors) {
    this.maxDirectMemory = maxDirectMemory;
    this.maxHeap = maxHeap;
    this.maxFileDescriptors = maxFileDescriptors;
    this.openFileDescriptors = openFileDescriptors;
  }

  /** The limits of the running JVM. */
  static MemoryBudget ofThisJvm() {
    long maxHeap = Runtime.getRuntime().maxMemory();
    long maxFds = Long.MAX_VALUE;
    long openFds = 0;
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof UnixOperatingSystemMXBean unix) {
      maxFds = unix.getMaxFileDescriptorCount();
      openFds = unix.getOpenFileDescriptorCount();
    }
    return new MemoryBudget(maxDirectMemory(maxHeap), maxHeap, maxFds, openFds);
  }

  /** {@code -XX:MaxDirectMemorySize}; without it the JDK allows as much direct memory as heap. */
  private static long maxDirectMemory(long maxHeap) {
    try {
      String value =
          ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
              .getVMOption("MaxDirectMemorySize")
              .getValue();
      long configured = Long.parseLong(value);
      return configured > 0 ? configured : maxHeap;
    } catch (RuntimeException e) { // not HotSpot: assume the JDK's default
      return maxHeap;
    }
  }

  /** The bytes one call may make the server hold: its window, one message, its outbound share. */
  static long perCallBytes(int flowControlWindow, int maxInboundMessageSize) {
    return (long) flowControlWindow + maxInboundMessageSize + OUTBOUND_PER_CALL;
  }

  /**
   * Calls in flight that half of the direct memory holds at {@link #perCallBytes}. The other half
   * is the allocator's slack: 2 MiB chunks that a few live buffers keep, per-thread caches, the
   * read buffers of connections being served.
   */
  int maxCallsInFlight(int flowControlWindow, int maxInboundMessageSize) {
    long calls = maxDirectMemory / 2 / perCallBytes(flowControlWindow, maxInboundMessageSize);
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, calls));
  }

  /**
   * Connections whose state fits in a quarter of the heap, and that leave a quarter of the free
   * descriptors for accepting (a connection past the limit is accepted, then closed), files and the
   * JVM.
   */
  int maxConnections() {
    long byHeap = maxHeap / 4 / HEAP_PER_CONNECTION;
    long byDescriptors = Math.max(1, (maxFileDescriptors - openFileDescriptors) * 3 / 4);
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.min(byHeap, byDescriptors)));
  }

  long maxDirectMemory() {
    return maxDirectMemory;
  }

  long maxHeap() {
    return maxHeap;
  }

  long maxFileDescriptors() {
    return maxFileDescriptors;
  }
}
