package io.github.grpcmiddleware.trace;

import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.internal.ThreadContexts;
import io.grpc.Context;
import org.jspecify.annotations.Nullable;

/**
 * Runs a task with the Context, the call's MDC entries and the registered {@link ThreadContexts}
 * (OpenTelemetry's Context, with the otel module) captured when it was wrapped.
 */
final class TracingRunnable implements Runnable {
  private final Runnable task;
  private final Runnable carried;
  private final Context context;
  private final @Nullable ServerCallScope scope;

  TracingRunnable(Runnable task, Context context) {
    this.task = task;
    this.carried = ThreadContexts.wrap(task);
    this.context = context;
    this.scope = ServerCallScope.fromContext(context);
  }

  @Override
  public void run() {
    Context previous = context.attach();
    try {
      ServerCallScope call = scope;
      if (call == null) {
        carried.run();
        return;
      }
      @Nullable String[] saved = call.putMdcEntries();
      try {
        carried.run();
      } finally {
        call.restoreMdcEntries(saved);
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
