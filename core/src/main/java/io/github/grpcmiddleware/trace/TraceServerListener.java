package io.github.grpcmiddleware.trace;

import io.grpc.Context;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.ServerCall;
import org.jspecify.annotations.Nullable;

/**
 * Puts a call's MDC entries (and attaches its Context, when it has one of its own) around every
 * server listener callback, then restores the previous ones.
 */
final class TraceServerListener<ReqT> extends SimpleForwardingServerCallListener<ReqT> {
  private final @Nullable Context context;
  private final MdcEntries mdc;

  TraceServerListener(
      ServerCall.Listener<ReqT> delegate, @Nullable Context context, MdcEntries mdc) {
    super(delegate);
    this.context = context;
    this.mdc = mdc;
  }

  @Override
  public void onMessage(ReqT message) {
    String t = mdc.previousTrace();
    String s = mdc.previousSpan();
    String r = mdc.previousRequest();
    mdc.put();
    Context previous = context == null ? null : context.attach();
    try {
      super.onMessage(message);
    } finally {
      if (context != null) {
        context.detach(previous);
      }
      mdc.restore(t, s, r);
    }
  }

  @Override
  public void onHalfClose() {
    String t = mdc.previousTrace();
    String s = mdc.previousSpan();
    String r = mdc.previousRequest();
    mdc.put();
    Context previous = context == null ? null : context.attach();
    try {
      super.onHalfClose();
    } finally {
      if (context != null) {
        context.detach(previous);
      }
      mdc.restore(t, s, r);
    }
  }

  @Override
  public void onCancel() {
    String t = mdc.previousTrace();
    String s = mdc.previousSpan();
    String r = mdc.previousRequest();
    mdc.put();
    Context previous = context == null ? null : context.attach();
    try {
      super.onCancel();
    } finally {
      if (context != null) {
        context.detach(previous);
      }
      mdc.restore(t, s, r);
    }
  }

  @Override
  public void onComplete() {
    String t = mdc.previousTrace();
    String s = mdc.previousSpan();
    String r = mdc.previousRequest();
    mdc.put();
    Context previous = context == null ? null : context.attach();
    try {
      super.onComplete();
    } finally {
      if (context != null) {
        context.detach(previous);
      }
      mdc.restore(t, s, r);
    }
  }

  @Override
  public void onReady() {
    String t = mdc.previousTrace();
    String s = mdc.previousSpan();
    String r = mdc.previousRequest();
    mdc.put();
    Context previous = context == null ? null : context.attach();
    try {
      super.onReady();
    } finally {
      if (context != null) {
        context.detach(previous);
      }
      mdc.restore(t, s, r);
    }
  }
}
