package io.github.grpcmiddleware.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.examples.proto.GreeterGrpc;
import io.github.grpcmiddleware.examples.proto.HelloRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The README's trace quick start is the compiled code, and it works. */
class QuickStartTest {
  static final Path SOURCE =
      Path.of("src/main/java/io/github/grpcmiddleware/examples/QuickStart.java");
  static final Path README = Path.of("../README.md");

  @Test
  void readmeShowsExactlyTheMarkedRegion() throws IOException {
    List<String> lines = Files.readAllLines(SOURCE, StandardCharsets.UTF_8);
    int start = lines.indexOf("  // [START quickstart]");
    int end = lines.indexOf("  // [END quickstart]");
    assertThat(start).isNotNegative();
    assertThat(end).isGreaterThan(start);
    List<String> region = lines.subList(start + 1, end);
    int indent =
        region.stream()
            .filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length())
            .min()
            .orElse(0);
    String snippet =
        region.stream()
            .map(l -> l.isBlank() ? "" : l.substring(indent))
            .collect(Collectors.joining("\n", "```java\n", "\n```\n"));

    String readme = Files.readString(README, StandardCharsets.UTF_8);
    assertThat(readme)
        .as("README.md must show the region between the quickstart markers of %s verbatim", SOURCE)
        .contains(snippet);
  }

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
