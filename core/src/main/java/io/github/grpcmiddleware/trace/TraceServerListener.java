package io.github.grpcmiddleware.trace;

import io.grpc.Context;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.ServerCall;

/**
 * Attaches a call's Context and puts its MDC entries around every server listener callback, then
 * restores the previous ones.
 */
final class TraceServerListener<ReqT> extends SimpleForwardingServerCallListener<ReqT> {
  private final Context context;
  private final MdcEntries mdc;

  TraceServerListener(ServerCall.Listener<ReqT> delegate, Context context, MdcEntries mdc) {
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
    Context previous = context.attach();
    try {
      super.onMessage(message);
    } finally {
      context.detach(previous);
      mdc.restore(t, s, r);
    }
  }

  @Override
  public void onHalfClose() {
    String t = mdc.previousTrace();
    String s = mdc.previousSpan();
    String r = mdc.previousRequest();
    mdc.put();
    Context previous = context.attach();
    try {
      super.onHalfClose();
    } finally {
      context.detach(previous);
      mdc.restore(t, s, r);
    }
  }

  @Override
  public void onCancel() {
    String t = mdc.previousTrace();
    String s = mdc.previousSpan();
    String r = mdc.previousRequest();
    mdc.put();
    Context previous = context.attach();
    try {
      super.onCancel();
    } finally {
      context.detach(previous);
      mdc.restore(t, s, r);
    }
  }

  @Override
  public void onComplete() {
    String t = mdc.previousTrace();
    String s = mdc.previousSpan();
    String r = mdc.previousRequest();
    mdc.put();
    Context previous = context.attach();
    try {
      super.onComplete();
    } finally {
      context.detach(previous);
      mdc.restore(t, s, r);
    }
  }

  @Override
  public void onReady() {
    String t = mdc.previousTrace();
    String s = mdc.previousSpan();
    String r = mdc.previousRequest();
    mdc.put();
    Context previous = context.attach();
    try {
      super.onReady();
    } finally {
      context.detach(previous);
      mdc.restore(t, s, r);
    }
  }
}
