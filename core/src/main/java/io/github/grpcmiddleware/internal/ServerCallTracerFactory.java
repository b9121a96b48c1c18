package io.github.grpcmiddleware.internal;

import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;

/**
 * This class is internal and is hence not for public use. Its APIs are unstable and can change at
 * any time.
 *
 * <p>The stream tracer that makes every record of a server call truthful: it opens the call's
 * {@link ServerCallScope} in the call's own Context (which grpc-java attaches around every
 * callback), names the method from the first moment ({@code newServerStreamTracer}), counts the
 * messages the transport read (so the pipeline knows when grpc-java dropped one it could not
 * decode), and ends the call with the status the transport sent ({@code streamClosed}), also for
 * calls grpc-java closed itself past every interceptor and for methods the server does not know.
 *
 * <p>Installed twice, the second tracer of a stream finds the record and stays out of the way. This
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
        return context; // a second factory of ours: the first one owns the record
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
    public void inboundMessage(int seqNo) {
      scope.transportInbound = seqNo + 1;
    }

    @Override
    public void streamClosed(Status status) {
      if (active) {
        scope.transportClosed(status, factory.unknownMethodObservers);
      }
    }
  }
}
