package io.github.grpcmiddleware.examples;

import io.github.grpcmiddleware.examples.proto.GreeterGrpc;
import io.github.grpcmiddleware.examples.proto.HelloRequest;
import io.github.grpcmiddleware.examples.proto.HelloResponse;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The README's quick start for trace ids; compiled so the README cannot rot. */
final class QuickStart {
  private QuickStart() {}

  // [START quickstart]
  static Server server(int port) {
    return ServerBuilder.forPort(port)
        .addService(new GreeterService())
        // ServerBuilder runs the LAST interceptor added first: add the trace interceptor last.
        .intercept(TraceIds.newServerInterceptor())
        .build();
  }

  static ManagedChannel channel(String host, int port) {
    return ManagedChannelBuilder.forAddress(host, port)
        .usePlaintext()
        // Sends the current call's trace id (or a new one) in `traceparent`.
        .intercept(TraceIds.newClientInterceptor())
        .build();
  }

  static final class GreeterService extends GreeterGrpc.GreeterImplBase {
    private static final Logger log = LoggerFactory.getLogger(GreeterService.class);
    // Tasks run with the submitting call's Context and MDC entries.
    private final Executor background = TraceIds.wrap(Executors.newFixedThreadPool(2));

    @Override
    public void sayHello(HelloRequest request, StreamObserver<HelloResponse> responses) {
      log.info("hello {}", request.getName()); // the MDC holds traceId here
      String traceId = String.valueOf(TraceIds.current()); // the same id, from io.grpc.Context
      background.execute(
          () -> {
            log.info("still traced on another thread");
            responses.onNext(HelloResponse.newBuilder().setMessage("trace " + traceId).build());
            responses.onCompleted();
          });
    }
  }
  // [END quickstart]
}
