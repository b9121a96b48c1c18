package io.github.grpcmiddleware.auth;

import io.grpc.ForwardingServerCallListener;
import io.grpc.ServerCall;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/** Mirrors the principal's name into the MDC key {@code principal} around each callback. */
final class PrincipalMdc {
  static final String MDC_KEY = "principal";

  private PrincipalMdc() {}

  /**
   * Puts the name and returns what the MDC held before, for {@link #restore}: a pair of calls
   * rather than a scope object, so that no callback allocates.
   */
  static @Nullable String put(String name) {
    String previous = MDC.get(MDC_KEY);
    MDC.put(MDC_KEY, name);
    return previous;
  }

  /** Restores what {@link #put} returned. */
  static void restore(@Nullable String previous) {
    if (previous == null) {
      MDC.remove(MDC_KEY);
    } else {
      MDC.put(MDC_KEY, previous);
    }
  }

  static final class Listener<ReqT>
      extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT> {
    private final String name;

    Listener(ServerCall.Listener<ReqT> delegate, String name) {
      super(delegate);
      this.name = name;
    }

    @Override
    public void onMessage(ReqT message) {
      String previous = put(name);
      try {
        super.onMessage(message);
      } finally {
        restore(previous);
      }
    }

    @Override
    public void onHalfClose() {
      String previous = put(name);
      try {
        super.onHalfClose();
      } finally {
        restore(previous);
      }
    }

    @Override
    public void onCancel() {
      String previous = put(name);
      try {
        super.onCancel();
      } finally {
        restore(previous);
      }
    }

    @Override
    public void onComplete() {
      String previous = put(name);
      try {
        super.onComplete();
      } finally {
        restore(previous);
      }
    }

    @Override
    public void onReady() {
      String previous = put(name);
      try {
        super.onReady();
      } finally {
        restore(previous);
      }
    }
  }
}
