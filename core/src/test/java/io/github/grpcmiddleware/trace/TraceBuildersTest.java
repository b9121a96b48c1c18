package io.github.grpcmiddleware.trace;

import static io.github.grpcmiddleware.trace.TraceIdsServerInterceptorTest.X_TRACE_ID;
import static io.github.grpcmiddleware.trace.TraceIdsServerInterceptorTest.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.stub.MetadataUtils;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

/** Builder validation, custom MDC keys and the optional features switched off. */
class TraceBuildersTest {
  static final AtomicReference<Map<String, String>> mdcAtStart = new AtomicReference<>();

  /** Records the MDC while the inner chain starts the call. */
  static final ServerInterceptor MDC_RECORDER =
      new ServerInterceptor() {
        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
          Map<String, String> copy = MDC.getCopyOfContextMap();
          mdcAtStart.set(copy == null ? new HashMap<>() : copy);
          return next.startCall(call, headers);
        }
      };

  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new TraceTestService())
          .interceptor(
              TraceIds.serverBuilder()
                  .traceIdMdcKey("tid")
                  .spanIdMdcKey("sid")
                  .requestIdMdcKey("rid")
                  .maxRequestIdLength(4)
                  .echoTraceId(false)
                  .build(),
              MDC_RECORDER)
          .build();

  @RegisterExtension
  static final GrpcServerExtension withoutRequestId =
      GrpcServerExtension.builder()
          .service(new TraceTestService())
          .interceptor(TraceIds.serverBuilder().readRequestId(false).build(), MDC_RECORDER)
          .build();

  @Test
  void serverBuilderRejectsBadSettings() {
    assertThatThrownBy(() -> TraceIds.serverBuilder().maxRequestIdLength(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRequestIdLength: 0 (expected: 1..256)");
    assertThatThrownBy(() -> TraceIds.serverBuilder().maxRequestIdLength(257).build())
        .hasMessage("maxRequestIdLength: 257 (expected: 1..256)");
    assertThatThrownBy(() -> TraceIds.serverBuilder().traceIdMdcKey("").build())
        .hasMessage("MDC key: \"\" (expected: not empty)");
    assertThatThrownBy(() -> TraceIds.serverBuilder().spanIdMdcKey("traceId").build())
        .hasMessage("MDC key: traceId used twice (expected: distinct keys)");
    assertThatThrownBy(() -> TraceIds.clientBuilder().spanIdMdcKey("traceId").build())
        .hasMessage("MDC key: traceId used twice (expected: distinct keys)");
  }

  @Test
  void clientMayReadTheTraceIdFromAKeyTheServerUsesForRequestIds() {
    // The client has no request id key, so "requestId" is free for its trace id.
    String id = "4bf92f3577b34da6a3ce929d0e0e4736";
    MDC.put("requestId", id);
    try {
      SimpleServiceGrpc.newBlockingStub(
              grpc.channel(TraceIds.clientBuilder().traceIdMdcKey("requestId").build()))
          .unaryRpc(request("x"));
      assertThat(Objects.requireNonNull(mdcAtStart.get())).containsEntry("tid", id);
    } finally {
      MDC.clear();
    }
  }

  @Test
  void customKeysAndNoEcho() {
    Metadata headers = new Metadata();
    headers.put(TraceHeadersTest.X_REQUEST_ID, "abcd");
    AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
    SimpleServiceGrpc.newBlockingStub(grpc.channel())
        .withInterceptors(
            MetadataUtils.newAttachHeadersInterceptor(headers),
            MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, new AtomicReference<>()))
        .unaryRpc(request("x"));

    Map<String, String> mdc = Objects.requireNonNull(mdcAtStart.get());
    assertThat(mdc).containsOnlyKeys("tid", "sid", "rid").containsEntry("rid", "abcd");
    assertThat(mdc.get("tid")).matches("[0-9a-f]{32}");
    assertThat(Objects.requireNonNull(responseHeaders.get()).get(X_TRACE_ID)).isNull();

    headers = new Metadata();
    headers.put(TraceHeadersTest.X_REQUEST_ID, "abcde");
    SimpleServiceGrpc.newBlockingStub(grpc.channel())
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .unaryRpc(request("x"));
    assertThat(Objects.requireNonNull(mdcAtStart.get())).containsOnlyKeys("tid", "sid");
  }

  @Test
  void requestIdCanBeIgnored() {
    Metadata headers = new Metadata();
    headers.put(TraceHeadersTest.X_REQUEST_ID, "abc");
    AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
    SimpleServiceGrpc.newBlockingStub(withoutRequestId.channel())
        .withInterceptors(
            MetadataUtils.newAttachHeadersInterceptor(headers),
            MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, new AtomicReference<>()))
        .unaryRpc(request("x"));

    // No x-request-id, and no span id either: the span id goes into the MDC only when asked for.
    assertThat(Objects.requireNonNull(mdcAtStart.get())).containsOnlyKeys("traceId");
    assertThat(Objects.requireNonNull(responseHeaders.get()).get(X_TRACE_ID))
        .isEqualTo(mdcAtStart.get().get("traceId"));
  }

  @Test
  void clientUsesItsOwnMdcKey() {
    String id = "0af7651916cd43dd8448eb211c80319c";
    MDC.put("tid", id);
    try {
      SimpleServiceGrpc.newBlockingStub(
              grpc.channel(TraceIds.clientBuilder().traceIdMdcKey("tid").build()))
          .unaryRpc(request("x"));
      assertThat(Objects.requireNonNull(mdcAtStart.get())).containsEntry("tid", id);
      assertThat(MDC.get("tid")).isEqualTo(id);
    } finally {
      MDC.clear();
    }
  }
}
