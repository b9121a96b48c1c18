package io.github.grpcmiddleware.internal;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCallHandler;
import io.grpc.Status;

/**
 * This class is internal and is hence not for public use. Its APIs are unstable and can change at
 * any time.
 *
 * <p>A call's start that waits for a part's pending decision ({@link StartResult.Pending}) and goes
 * on once it arrives, on the decision's executor: the part's rejection, the rest of the part's
 * start ({@link StartResult.Continuation}, which may wait again), then the parts after it and the
 * service; nothing when the call ended meanwhile. The owner's listener replays what it held after.
 */
final class ResumedStart<ReqT, RespT> implements Runnable {
  private final ServerPipeline pipeline;
  private final StartResult.Pending pending;
  private final int part;
  private final PipelineCall<ReqT, RespT> call;
  private final PipelineListener<ReqT> listener;
  private final Metadata headers;
  private final ServerCallHandler<ReqT, RespT> next;

  ResumedStart(
      ServerPipeline pipeline,
      StartResult.Pending pending,
      int part,
      PipelineCall<ReqT, RespT> call,
      PipelineListener<ReqT> listener,
      Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    this.pipeline = pipeline;
    this.pending = pending;
    this.part = part;
    this.call = call;
    this.listener = listener;
    this.headers = headers;
    this.next = next;
  }

  @Override
  public void run() {
    ServerCallScope scope = call.scope;
    // Not a grpc-java callback: the call's own Context is attached here, for the parts, the service
    // and the replayed events (the bracket attaches only a Context of the record's own).
    Context callContext = scope.context();
    Context previous = callContext.attach();
    scope.startBegins();
    scope.enter();
    try {
      Status rejection = pending.rejection();
      Metadata trailers = pending.rejectionTrailers();
      StartResult.Continuation rest = pending.continuation();
      StartResult result;
      if (scope.transportEnded() || scope.hasEnded()) {
        result = StartResult.REJECTED; // cancelled while waiting: nothing starts
      } else if (rejection != null && trailers != null) {
        result = call.reject(pipeline.parts[part], rejection, trailers);
      } else {
        result = rest == null ? StartResult.CONTINUE : rest.start(scope, call, headers);
      }
      if (result == StartResult.CONTINUE) {
        pipeline.startFrom(part + 1, call, listener, headers, next);
      } else if (result instanceof StartResult.Pending) {
        StartResult.Pending again = (StartResult.Pending) result;
        listener.waitFor(
            again, new ResumedStart<>(pipeline, again, part, call, listener, headers, next));
      } else {
        listener.rejected();
      }
    } catch (RuntimeException | Error e) {
      // Nothing outside maps it here (grpc-java's start returned long ago): close the call, so that
      // it never waits for its deadline.
      listener.rejected();
      call.closeAfterFailure(e);
      if (e instanceof Error) {
        throw (Error) e;
      }
    } finally {
      scope.exit();
      scope.startDone();
      listener.armWait();
      try {
        listener.decided();
      } finally {
        callContext.detach(previous);
      }
    }
  }
}
