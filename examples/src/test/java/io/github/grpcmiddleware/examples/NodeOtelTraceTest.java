package io.github.grpcmiddleware.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.chain.ClientChain;
import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.examples.proto.GreeterGrpc;
import io.github.grpcmiddleware.examples.proto.HelloRequest;
import io.github.grpcmiddleware.examples.proto.HelloResponse;
import io.github.grpcmiddleware.otel.GrpcTracing;
import io.github.grpcmiddleware.otel.testsupport.InMemoryOtel;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

/**
 * One trace across languages: the Node.js client's OpenTelemetry span -> the example chain with
 * {@link GrpcTracing} (an SDK at default settings, spans in memory) on 127.0.0.1 -> a downstream
 * Java service the handler calls through core's client trace part.
 */
class NodeOtelTraceTest {
  private static final Pattern NODE_SPAN =
      Pattern.compile(
          "node span name=\\S+ kind=CLIENT traceId=([0-9a-f]{32}) spanId=([0-9a-f]{16})");
  private static final Pattern ECHOED = Pattern.compile("x-trace-id (\\S+)");

  @RegisterExtension
  final LogCapture logs = LogCapture.forLogger("io.github.grpcmiddleware.examples");

  private final InMemoryOtel otel = InMemoryOtel.traceContext();
  private final OpenTelemetrySdk sdk = otel.sdk();
  private final Map<String, String> handlerSaw = new ConcurrentHashMap<>();
  private final String downstreamName = InProcessServerBuilder.generateName();
  private Server downstream;
  private ManagedChannel toDownstream;
  private Server server;

  /** The example's Greeter, preceded by a call to the downstream Greeter. */
  private final class CallingGreeter extends GreeterGrpc.GreeterImplBase {
    @Override
    public void sayHello(HelloRequest request, StreamObserver<HelloResponse> responses) {
      handlerSaw.put("mdcTraceId", String.valueOf(MDC.get("traceId")));
      handlerSaw.put("traceIds", String.valueOf(TraceIds.current()));
      HelloResponse answer =
          GreeterGrpc.newBlockingStub(toDownstream)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .sayHello(request);
      responses.onNext(answer);
      responses.onCompleted();
    }
  }

  @BeforeEach
  void start() throws Exception {
    downstream =
        InProcessServerBuilder.forName(downstreamName)
            .addService(new GreeterService())
            .intercept(ServerChain.builder().tracing(GrpcTracing.newServerInterceptor(sdk)).build())
            .build()
            .start();
    toDownstream =
        InProcessChannelBuilder.forName(downstreamName)
            .intercept(ClientChain.builder().tracing(TraceIds.newClientInterceptor()).build())
            .build();
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(new CallingGreeter())
            .intercept(ExampleServer.chain("node-otel-token", new SimpleMeterRegistry(), sdk))
            .build()
            .start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    toDownstream.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    downstream.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    otel.close();
  }

  @Test
  void nodeSpanJavaServerSpanAndDownstreamSpanAreOneTrace() throws Exception {
    NodeRunner.requireNodeAndPackages();

    NodeRunner.Result node =
        NodeRunner.run(
            Arrays.asList(
                "node",
                "client.js",
                "--otel",
                "--check",
                "--target",
                "127.0.0.1:" + server.getPort()),
            120);

    assertThat(node.exitCode).as("node --otel failed:%n%s", node.output).isZero();
    assertThat(node.output).contains("node otel check: all passed");
    Matcher nodeSpan = NODE_SPAN.matcher(node.output);
    assertThat(nodeSpan.find()).as("node printed its span:%n%s", node.output).isTrue();
    String traceId = nodeSpan.group(1);
    String nodeSpanId = nodeSpan.group(2);
    Matcher echoed = ECHOED.matcher(node.output);
    assertThat(echoed.find()).isTrue();
    assertThat(echoed.group(1)).as("x-trace-id").isEqualTo(traceId);

    List<SpanData> serverSpans = awaitServerSpans(2);
    SpanData front = byParent(serverSpans, nodeSpanId);
    assertThat(front.getName()).isEqualTo("example.Greeter/SayHello");
    assertThat(front.getTraceId()).isEqualTo(traceId);
    assertThat(front.getParentSpanContext().isRemote()).isTrue();
    assertThat(handlerSaw).containsEntry("mdcTraceId", traceId).containsEntry("traceIds", traceId);

    SpanData downstreamSpan = byParent(serverSpans, front.getSpanId());
    assertThat(downstreamSpan.getTraceId()).as("downstream continues the trace").isEqualTo(traceId);
    LoggedEvent greeting =
        logs.await(
            e -> e.message().equals("greeting Node (OpenTelemetry)"), Duration.ofSeconds(10));
    assertThat(greeting.mdc())
        .containsEntry("traceId", traceId)
        .containsEntry("spanId", downstreamSpan.getSpanId());
  }

  private static SpanData byParent(List<SpanData> candidates, String parentSpanId) {
    for (SpanData span : candidates) {
      if (span.getParentSpanId().equals(parentSpanId)) {
        return span;
      }
    }
    throw new AssertionError("no span whose parent is " + parentSpanId + ": " + candidates);
  }

  private List<SpanData> awaitServerSpans(int count) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<SpanData> found = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      found.clear();
      for (SpanData span : otel.spans()) {
        if (span.getKind() == SpanKind.SERVER) {
          found.add(span);
        }
      }
      if (found.size() >= count) {
        return found;
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("expected " + count + " server spans: " + otel.spans());
  }
}
