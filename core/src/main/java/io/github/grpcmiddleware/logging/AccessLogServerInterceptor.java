package io.github.grpcmiddleware.logging;

import io.github.grpcmiddleware.internal.PipelineCall;
import io.github.grpcmiddleware.internal.ServerCallObserver;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.internal.ServerPart;
import io.github.grpcmiddleware.internal.StartResult;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.security.Principal;
import org.jspecify.annotations.Nullable;

/**
 * Writes one access-log line per server call, when it ends, from the call's scope: the interceptor
 * is itself the scope's observer, so a call costs it no object of its own.
 */
final class AccessLogServerInterceptor extends ServerPart implements ServerCallObserver {

  private final AccessLogWriter writer;
  private final MethodSelector excluded;

  AccessLogServerInterceptor(AccessLogWriter writer, MethodSelector excluded) {
    super(ACCESS_LOG, ON_START, "observability", "AccessLog");
    this.writer = writer;
    this.excluded = excluded;
  }

  /** A disabled logger costs nothing per call: no observer, and alone no wrappers either. */
  @Override
  public boolean appliesTo(ServerCall<?, ?> call) {
    return writer.mayWrite() && !excluded.matches(call.getMethodDescriptor());
  }

  @Override
  public StartResult start(ServerCallScope scope, PipelineCall<?, ?> call, Metadata headers) {
    scope.recordDeadline();
    scope.observe(this);
    return StartResult.CONTINUE;
  }

  @Override
  public void callEnded(ServerCallScope call, Status status) {
    Principal principal = call.principal();
    MethodDescriptor<?, ?> method = call.method();
    writer.write(
        method == null ? null : method.getType(),
        call.fullMethodName(),
        status.getCode(),
        System.nanoTime() - call.startNanos(),
        call.peer(),
        call.traceId(),
        principal == null ? null : principal.getName(),
        call.received(),
        call.sent(),
        call.headers(),
        call.mappedException(),
        call.deadlineNanos());
  }

  @Override
  public @Nullable ServerCallObserver unknownMethodObserver() {
    return this;
  }
}
