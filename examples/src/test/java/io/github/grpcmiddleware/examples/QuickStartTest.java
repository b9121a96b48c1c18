package io.github.grpcmiddleware.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.examples.proto.GreeterGrpc;
import io.github.grpcmiddleware.examples.proto.HelloRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.stub.MetadataUtils;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The README's trace quick start is the compiled code, and it works. */
class QuickStartTest {
  @Test
  void quickStartServesTracedCalls() throws Exception {
    Server server = QuickStart.server(0).start();
    ManagedChannel channel = QuickStart.channel("127.0.0.1", server.getPort());
    try {
      AtomicReference<Metadata> headers = new AtomicReference<>();
      String message =
          GreeterGrpc.newBlockingStub(channel)
              .withInterceptors(
                  MetadataUtils.newCaptureMetadataInterceptor(headers, new AtomicReference<>()))
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .sayHello(HelloRequest.newBuilder().setName("readme").build())
              .getMessage();
      String echoed =
          Objects.requireNonNull(headers.get())
              .get(Metadata.Key.of("x-trace-id", Metadata.ASCII_STRING_MARSHALLER));
      assertThat(echoed).matches("[0-9a-f]{32}");
      assertThat(message).isEqualTo("trace " + echoed);
      assertThat(Arrays.asList(message.split(" "))).hasSize(2);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
