package io.github.grpcmiddleware.auth;

import io.grpc.ForwardingServerCallListener;
import io.grpc.ServerCall;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/** Mirrors the principal's name into the MDC key {@code principal} around each callback. */
final class PrincipalMdc {
  static final String MDC_KEY = "principal";

  private PrincipalMdc() {}

  static Scope put(String name) {
    return new Scope(name);
  }

  /** Puts the name, and restores what the MDC held before on close. */
  static final class Scope implements AutoCloseable {
    private final @Nullable String previous;

    Scope(String name) {
      previous = MDC.get(MDC_KEY);
      MDC.put(MDC_KEY, name);
    }

    @Override
    public void close() {
      if (previous == null) {
        MDC.remove(MDC_KEY);
      } else {
        MDC.put(MDC_KEY, previous);
      }
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
      try (Scope ignored = put(name)) {
        super.onMessage(message);
      }
    }

    @Override
    public void onHalfClose() {
      try (Scope ignored = put(name)) {
        super.onHalfClose();
      }
    }

    @Override
    public void onCancel() {
      try (Scope ignored = put(name)) {
        super.onCancel();
      }
    }

    @Override
    public void onComplete() {
      try (Scope ignored = put(name)) {
        super.onComplete();
      }
    }

    @Override
    public void onReady() {
      try (Scope ignored = put(name)) {
        super.onReady();
      }
    }
  }
}
