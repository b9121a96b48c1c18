package io.github.grpcmiddleware.limits;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/** The permits behind {@link Permit}'s factories. */
final class Permits {

  static final Permit GRANTED =
      new Permit() {
        @Override
        public boolean isGranted() {
          return true;
        }

        @Override
        public long retryAfterNanos() {
          return 0;
        }

        @Override
        public void release() {}

        @Override
        public String toString() {
          return "Permit[granted]";
        }
      };

  /**
   * What an asynchronous limit that fails closed answers when its store failed or was late: not
   * granted, and rendered as {@code UNAVAILABLE} rather than {@code RESOURCE_EXHAUSTED}.
   */
  static final Permit UNAVAILABLE =
      new Rejected(0) {
        @Override
        public String toString() {
          return "Permit[store unavailable]";
        }
      };

  private Permits() {}

  static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** A granted permit whose {@link #released()} runs once, however often release is called. */
  abstract static class ReleaseOnce extends AtomicBoolean implements Permit {
    private static final long serialVersionUID = 1L;

    /** Gives the permit back; called at most once. */
    abstract void released();

    @Override
    public boolean isGranted() {
      return true;
    }

    @Override
    public long retryAfterNanos() {
      return 0;
    }

    @Override
    public void release() {
      if (compareAndSet(false, true)) {
        released();
      }
    }
  }

  /** A granted permit that runs a task when released, once. */
  static final class Releasing extends ReleaseOnce {
    private static final long serialVersionUID = 1L;
    private final transient Runnable onRelease;

    Releasing(Runnable onRelease) {
      this.onRelease = onRelease;
    }

    @Override
    void released() {
      onRelease.run();
    }
  }

  static class Rejected implements Permit {
    private final long retryAfterNanos;

    Rejected(long retryAfterNanos) {
      this.retryAfterNanos = retryAfterNanos;
    }

    @Override
    public boolean isGranted() {
      return false;
    }

    @Override
    public long retryAfterNanos() {
      return retryAfterNanos;
    }

    @Override
    public void release() {}

    @Override
    public String toString() {
      return "Permit[rejected, retryAfterNanos=" + retryAfterNanos + "]";
    }
  }
}
