package io.github.grpcmiddleware.trace;

import io.grpc.ClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.Status;

/** Puts a call's MDC entries around every client listener callback and restores the previous. */
final class TraceClientListener<RespT> extends SimpleForwardingClientCallListener<RespT> {
  private final MdcEntries mdc;

  TraceClientListener(ClientCall.Listener<RespT> delegate, MdcEntries mdc) {
    super(delegate);
    this.mdc = mdc;
  }

  @Override
  public void onHeaders(Metadata headers) {
    String t = mdc.previousTrace();
    String s = mdc.previousSpan();
    String r = mdc.previousRequest();
    mdc.put();
    try {
      super.onHeaders(headers);
    } finally {
      mdc.restore(t, s, r);
    }
  }

  @Override
  public void onMessage(RespT message) {
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
  public void onClose(Status status, Metadata trailers) {
    String t = mdc.previousTrace();
    String s = mdc.previousSpan();
    String r = mdc.previousRequest();
    mdc.put();
    try {
      super.onClose(status, trailers);
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
