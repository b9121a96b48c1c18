package com.example.greeter;

import com.example.greeter.proto.GreeterGrpc;
import com.example.greeter.proto.HelloRequest;
import io.github.grpcmiddleware.auth.Auth;
import io.github.grpcmiddleware.chain.ClientChain;
import io.github.grpcmiddleware.errors.ErrorReport;
import io.github.grpcmiddleware.i18n.Locales;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Calls the Greeter: {@code java com.example.greeter.GreeterClient [host:port] [name]}. */
public final class GreeterClient {
  private GreeterClient() {}

  /**
   * Sends one SayHello and prints the reply or the error report.
   *
   * @param args the target (default {@code 127.0.0.1:50051}) and the name, both optional
   * @throws InterruptedException when interrupted while closing the channel
   */
  public static void main(String[] args) throws InterruptedException {
    String target = args.length > 0 ? args[0] : "127.0.0.1:50051";
    String name = args.length > 1 ? args[1] : "Ada";
    ManagedChannel channel = channel(target, Locale.getDefault());
    try {
      System.out.println(greet(GreeterGrpc.newBlockingStub(channel), "s3cret", name));
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  // [START standalone_client]
  static ManagedChannel channel(String target, Locale language) {
    return ManagedChannelBuilder.forTarget(target)
        .usePlaintext()
        .intercept(
            ClientChain.builder()
                .tracing(TraceIds.newClientInterceptor()) // sends traceparent
                .locale(Locales.clientBuilder().locale(() -> language).build())
                .build())
        .build();
  }

  static String greet(GreeterGrpc.GreeterBlockingStub stub, String token, String name) {
    try {
      return stub.withCallCredentials(
              Auth.clientBuilder().bearerToken(token).allowPlaintextLoopback(true).build())
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .sayHello(HelloRequest.newBuilder().setName(name).build())
          .getMessage();
    } catch (StatusRuntimeException e) {
      ErrorReport report = ErrorReport.from(e); // code, localized message, details, trace id
      return report.code() + ": " + report.localizedMessage() + " (trace " + report.traceId() + ")";
    }
  }
  // [END standalone_client]
}
