package io.github.grpcmiddleware.logging;

import io.github.grpcmiddleware.internal.ChainPart;
import io.github.grpcmiddleware.internal.ServerCallObserver;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.Principal;

/**
 * Writes one access-log line per server call, when it ends, from the call's scope: the interceptor
 * is itself the scope's observer, so a call costs it no object of its own.
 */
final class AccessLogServerInterceptor implements ServerInterceptor, ChainPart, ServerCallObserver {

  private final AccessLogWriter writer;
  private final MethodSelector excluded;

  AccessLogServerInterceptor(AccessLogWriter writer, MethodSelector excluded) {
    this.writer = writer;
    this.excluded = excluded;
  }

  @Override
  public String chainSlot() {
    return "observability";
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    // A disabled logger costs nothing per call: no observer, no wrappers of our own.
    if (!writer.mayWrite() || excluded.matches(call.getMethodDescriptor())) {
      return next.startCall(call, headers);
    }
    ServerCallScope scope = ServerCallScope.open(this, call);
    if (scope.enter(this)) {
      scope.recordDeadline();
      scope.observe(this);
    }
    return scope.startNext(this, call, headers, next);
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
  public boolean observesUnknownMethods() {
    return true;
  }
}
