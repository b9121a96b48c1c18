package io.github.grpcmiddleware.trace;

import io.grpc.Context;
import org.jspecify.annotations.Nullable;

/** Runs a task with the Context and the call's MDC entries captured when it was wrapped. */
final class TracingRunnable implements Runnable {
  private final Runnable task;
  private final Context context;
  private final @Nullable MdcEntries mdc;

  TracingRunnable(Runnable task, Context context) {
    this.task = task;
    this.context = context;
    CallTrace trace = CallTrace.from(context);
    this.mdc = trace;
  }

  @Override
  public void run() {
    Context previous = context.attach();
    try {
      if (mdc == null) {
        task.run();
        return;
      }
      String t = mdc.previousTrace();
      String s = mdc.previousSpan();
      String r = mdc.previousRequest();
      mdc.put();
      try {
        task.run();
      } finally {
        mdc.restore(t, s, r);
      }
    } finally {
      context.detach(previous);
    }
  }

  @Override
  public String toString() {
    return "TracingRunnable{" + task + "}";
  }
}
