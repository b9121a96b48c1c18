package io.github.grpcmiddleware.internal;

import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;

/**
 * Not for public use; may change without notice. The stream tracer that makes every record of a
 * server call truthful: it opens the call's {@link ServerCallScope} in the call's own Context
 * (which grpc-java attaches around every callback, so the parts need no Context of their own) and
 * ends it with the status the transport sent ({@code streamClosed}), also for calls grpc-java
 * closed itself past every interceptor (an undecodable request, a listener that threw with nothing
 * inside to map it, a response that failed to serialize) and for methods the server does not know.
 *
 * <p>Installed twice, the second tracer of a stream finds the scope and stays out of the way. This
 * class is thread-safe.
 */
public final class ServerCallTracerFactory extends ServerStreamTracer.Factory {

  private final ServerCallObserver[] unknownMethodObservers;

  /**
   * Creates the factory.
   *
   * @param unknownMethodObservers the observers that also record calls to unknown methods
   */
  public ServerCallTracerFactory(ServerCallObserver... unknownMethodObservers) {
    this.unknownMethodObservers = unknownMethodObservers.clone();
  }

  @Override
  public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
    return new Tracer(new ServerCallScope(System.nanoTime(), true, fullMethodName), headers, this);
  }

  private static final class Tracer extends ServerStreamTracer {
    private final ServerCallScope scope;
    private final Metadata headers;
    private final ServerCallTracerFactory factory;
    private volatile boolean active;

    Tracer(ServerCallScope scope, Metadata headers, ServerCallTracerFactory factory) {
      this.scope = scope;
      this.headers = headers;
      this.factory = factory;
    }

    @Override
    public Context filterContext(Context context) {
      if (ServerCallScope.fromContext(context) != null) {
        return context; // a second factory of ours: the first one owns the scope
      }
      active = true;
      scope.setHeaders(headers);
      return ServerCallScope.attach(context, scope);
    }

    @Override
    public void serverCallStarted(ServerCallInfo<?, ?> callInfo) {
      if (active) {
        scope.started(
            callInfo.getMethodDescriptor(),
            callInfo.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
      }
    }

    @Override
    public void streamClosed(Status status) {
      if (active) {
        scope.endUnknown(status, factory.unknownMethodObservers);
      }
    }
  }
}
