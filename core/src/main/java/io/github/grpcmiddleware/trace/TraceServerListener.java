package io.github.grpcmiddleware.trace;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.ServerCall;

/** Puts a call's MDC entries around every server listener callback and restores the previous. */
final class TraceServerListener<ReqT> extends SimpleForwardingServerCallListener<ReqT> {
  private final MdcEntries mdc;

  TraceServerListener(ServerCall.Listener<ReqT> delegate, MdcEntries mdc) {
    super(delegate);
    this.mdc = mdc;
  }

  @Override
  public void onMessage(ReqT message) {
    String t = mdc.previousTrace();
    String s = mdc.previousSpan();
    String r = mdc.previousRequest();
    mdc.put();
    try {
      super.onMessage(message);
    } finally {
      mdc.restore(t, s, r);
    }
  }

  @Override
  public void onHalfClose() {
    String t = mdc.previousTrace();
    String s = mdc.previousSpan();
    String r = mdc.previousRequest();
    mdc.put();
    try {
      super.onHalfClose();
    } finally {
      mdc.restore(t, s, r);
    }
  }

  @Override
  public void onCancel() {
    String t = mdc.previousTrace();
    String s = mdc.previousSpan();
    String r = mdc.previousRequest();
    mdc.put();
    try {
      super.onCancel();
    } finally {
      mdc.restore(t, s, r);
    }
  }

  @Override
  public void onComplete() {
    String t = mdc.previousTrace();
    String s = mdc.previousSpan();
    String r = mdc.previousRequest();
    mdc.put();
    try {
      super.onComplete();
    } finally {
      mdc.restore(t, s, r);
    }
  }

  @Override
  public void onReady() {
    String t = mdc.previousTrace();
    String s = mdc.previousSpan();
    String r = mdc.previousRequest();
    mdc.put();
    try {
      super.onReady();
    } finally {
      mdc.restore(t, s, r);
    }
  }
}
