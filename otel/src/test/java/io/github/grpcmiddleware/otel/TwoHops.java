package io.github.grpcmiddleware.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.otel.testsupport.InMemoryOtel;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.ServerCallCapture;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * A caller -> service A (GrpcTracing, an SDK at default settings: parent-based sampler) -> service
 * B (records its request headers). A's handler calls B through core's trace client interceptor and
 * records what its thread sees.
 */
final class TwoHops implements AutoCloseable {
  static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> TRACESTATE =
      Metadata.Key.of("tracestate", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> X_TRACE_ID =
      Metadata.Key.of("x-trace-id", Metadata.ASCII_STRING_MARSHALLER);

  final InMemoryOtel otel = InMemoryOtel.traceContext();
  final OpenTelemetry openTelemetry = otel.sdk();

  /** Request headers B received, newest last. */
  final BlockingDeque<Metadata> atB = new LinkedBlockingDeque<>();

  /** A's handler: the span context current on its thread, and the MDC trace id. */
  final AtomicReference<@Nullable SpanContext> handlerSpan = new AtomicReference<>();

  final AtomicReference<@Nullable String> handlerMdc = new AtomicReference<>();

  private final String nameA = InProcessServerBuilder.generateName();
  private final String nameB = InProcessServerBuilder.generateName();
  private final Server serverB;
  private final Server serverA;
  private final ManagedChannel toB;

  TwoHops() throws IOException {
    ServerInterceptor capture =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
              ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
            atB.add(headers);
            return next.startCall(call, headers);
          }
        };
    serverB =
        InProcessServerBuilder.forName(nameB)
            .directExecutor()
            .addService(ServerInterceptors.intercept(new Answer(), capture))
            .build()
            .start();
    toB =
        InProcessChannelBuilder.forName(nameB)
            .directExecutor()
            .intercept(TraceIds.newClientInterceptor())
            .build();
    serverA =
        InProcessServerBuilder.forName(nameA)
            .directExecutor()
            .addService(
                ServerInterceptors.intercept(
                    new ServiceA(), GrpcTracing.newServerInterceptor(openTelemetry)))
            .build()
            .start();
  }

  /** A server (in-process, per test) that answers every call and records it in {@code capture}. */
  static GrpcServerExtension answering(ServerCallCapture capture) {
    return GrpcServerExtension.builder()
        .service(new Answer())
        .interceptor(capture.interceptor())
        .build();
  }

  /** Answers every call. */
  static final class Answer extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
      out.onNext(SimpleResponse.getDefaultInstance());
      out.onCompleted();
    }
  }

  private final class ServiceA extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
      handlerSpan.set(Span.current().getSpanContext());
      handlerMdc.set(MDC.get("traceId"));
      SimpleServiceGrpc.newBlockingStub(toB).unaryRpc(request);
      out.onNext(SimpleResponse.getDefaultInstance());
      out.onCompleted();
    }
  }

  /**
   * Calls A with {@code headers} through {@code interceptors}, given as to {@code
   * ManagedChannelBuilder.intercept} (the last runs first); returns A's x-trace-id.
   */
  String call(Metadata headers, ClientInterceptor... interceptors) {
    ManagedChannel channel =
        InProcessChannelBuilder.forName(nameA).directExecutor().intercept(interceptors).build();
    try {
      AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
      AtomicReference<Metadata> trailers = new AtomicReference<>();
      SimpleServiceGrpc.newBlockingStub(channel)
          .withInterceptors(
              MetadataUtils.newAttachHeadersInterceptor(headers),
              MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers))
          .unaryRpc(SimpleRequest.newBuilder().setRequestMessage("hop").build());
      String echoed = Objects.requireNonNull(responseHeaders.get()).get(X_TRACE_ID);
      assertThat(echoed).isNotNull();
      return Objects.requireNonNull(echoed);
    } finally {
      channel.shutdownNow();
    }
  }

  SpanContext handlerSpan() {
    return Objects.requireNonNull(handlerSpan.get(), "A's handler did not run");
  }

  Metadata lastAtB() {
    return Objects.requireNonNull(atB.peekLast(), "B received no call");
  }

  @Override
  public void close() {
    toB.shutdownNow();
    serverA.shutdownNow();
    serverB.shutdownNow();
    otel.close();
  }
}
