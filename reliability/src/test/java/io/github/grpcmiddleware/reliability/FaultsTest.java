package io.github.grpcmiddleware.reliability;

import static io.github.grpcmiddleware.testing.GrpcAssertions.assertThatCall;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.examples.ExampleServices;
import io.github.grpcmiddleware.examples.proto.UserRequest;
import io.github.grpcmiddleware.examples.proto.UserServiceGrpc;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.github.grpcmiddleware.testing.StatusAssert;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Failures inside the chain: handler bugs with secrets in their messages, statuses with trailers,
 * interceptors and the error mapper itself throwing, StackOverflowError, and errors far over the
 * trailer budget. Each call closes once, nothing hangs (every call has a deadline), the MDC of the
 * pool threads is clean afterwards.
 */
class FaultsTest {
  static final String TRACE = "0af7651916cd43dd8448eb211c80319c";

  @RegisterExtension final LogCapture logs = LogCapture.forLogger("io.github.grpcmiddleware");

  static Metadata traced(String acceptLanguage) {
    Metadata headers = new Metadata();
    headers.put(Rpc.TRACEPARENT, "00-" + TRACE + "-b7ad6b7169203331-01");
    headers.put(Rpc.ACCEPT_LANGUAGE, acceptLanguage);
    return headers;
  }

  static SimpleServiceGrpc.SimpleServiceBlockingStub simple(ChainServer server, String lang) {
    return SimpleServiceGrpc.newBlockingStub(server.channel(Chains.client(Chains.TOKEN_A)))
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(traced(lang)))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  static SimpleRequest request(String text) {
    return SimpleRequest.newBuilder().setRequestMessage(text).build();
  }

  private List<LoggedEvent> errorLines() {
    return logs.events().stream().filter(e -> e.level().equals("ERROR")).toList();
  }

  /** One ERROR line, with the exception and the trace id in the MDC and the message. */
  private LoggedEvent assertOneErrorLine(Class<? extends Throwable> type) {
    logs.await(e -> e.level().equals("ERROR"), java.time.Duration.ofSeconds(5));
    List<LoggedEvent> errors = errorLines();
    assertThat(errors).hasSize(1);
    LoggedEvent line = errors.get(0);
    assertThat(line.throwable()).isInstanceOf(type);
    assertThat(line.mdc()).containsEntry("traceId", TRACE);
    assertThat(line.message()).contains(TRACE);
    return line;
  }

  private static void assertGenericInternal(StatusAssert status) {
    status
        .withTrailer("x-trace-id", TRACE)
        .withoutTextAnywhere("hunter2")
        .withoutTextAnywhere("db-internal");
    assertThat(status.details(com.google.rpc.LocalizedMessage.class))
        .singleElement()
        .satisfies(m -> assertThat(m.getMessage()).contains(TRACE));
  }

  @Test
  void handlerExceptionWithSecretsIsInternalWithTraceIdAndLoggedOnce() throws Exception {
    try (ChainServer server =
        ChainServer.start(3, Chains.server(), ExampleServices.userService())) {
      UserServiceGrpc.UserServiceBlockingStub users =
          UserServiceGrpc.newBlockingStub(server.channel(Chains.client(Chains.TOKEN_A)))
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(traced("zh-CN")))
              .withDeadlineAfter(10, TimeUnit.SECONDS);
      StatusAssert failed =
          assertThatCall(() -> users.getUser(UserRequest.newBuilder().setId(500).build()))
              .failsWith(Status.Code.INTERNAL)
              .withDescriptionContaining(TRACE);
      assertGenericInternal(failed);
      assertThat(failed.status().getDescription()).doesNotContain("hunter2", "db-internal", "5432");
      assertThat(failed.trailers().toString()).doesNotContain("hunter2", "db-internal");
      assertThat(failed.trailers().get(Rpc.ascii("content-language"))).isEqualTo("zh-CN");
      LoggedEvent line = assertOneErrorLine(IllegalStateException.class);
      assertThat(line.throwable().getMessage()).contains("hunter2"); // kept for the server's logs
      assertThat(server.mdcOfEveryPoolThread()).allSatisfy((t, mdc) -> assertThat(mdc).isEmpty());
    }
  }

  @Test
  void statusRuntimeExceptionWithTrailersPassesThroughIntact() throws Exception {
    CallEnds ends = new CallEnds();
    try (ChainServer server =
        ChainServer.start(3, Chains.server(ends, e -> {}), new FaultService())) {
      assertThatCall(() -> simple(server, "en").unaryRpc(request("sre")))
          .failsWith(Status.Code.ABORTED)
          .withDescription("conflict on row 7")
          .withTrailer("x-fault-detail", "kept-" + TRACE);
      ends.awaitEnds(1);
      assertThat(ends.closes).containsExactly("UnaryRpc:ABORTED");
      assertThat(errorLines()).isEmpty();
    }
  }

  @Test
  void applicationInterceptorThrowingInStartCallOrInACallbackClosesTheCallOnce() throws Exception {
    ServerInterceptor throwing =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
              ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
            String where = headers.get(Rpc.ascii("x-throw-in"));
            if ("start".equals(where)) {
              throw new IllegalStateException("interceptor broke: " + FaultService.SECRET);
            }
            return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
                next.startCall(call, headers)) {
              @Override
              public void onHalfClose() {
                if ("halfClose".equals(where)) {
                  throw new IllegalStateException("listener broke: " + FaultService.SECRET);
                }
                super.onHalfClose();
              }
            };
          }
        };
    CallEnds ends = new CallEnds();
    try (ChainServer server =
        ChainServer.start(2, Chains.server(ends, e -> {}, throwing), new FaultService())) {
      int calls = 0;
      for (String where : List.of("start", "halfClose")) {
        for (int i = 0; i < 3; i++) {
          Metadata throwIn = new Metadata();
          throwIn.put(Rpc.ascii("x-throw-in"), where);
          SimpleServiceGrpc.SimpleServiceBlockingStub stub =
              simple(server, "en")
                  .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(throwIn));
          StatusAssert failed =
              assertThatCall(() -> stub.unaryRpc(request("echo")))
                  .failsWith(Status.Code.INTERNAL)
                  .withDescriptionContaining(TRACE);
          assertThat(failed.status().getDescription()).doesNotContain("hunter2");
          calls++;
        }
      }
      ends.awaitEnds(calls);
      assertThat(ends.closes).hasSize(calls).containsOnly("UnaryRpc:INTERNAL");
      assertThat(ends.ends).hasSize(calls);
      logs.await(e -> errorLines().size() >= 6, java.time.Duration.ofSeconds(5));
      assertThat(errorLines())
          .hasSize(calls)
          .allSatisfy(e -> assertThat(e.mdc()).containsEntry("traceId", TRACE));
      assertThat(server.mdcOfEveryPoolThread()).allSatisfy((t, mdc) -> assertThat(mdc).isEmpty());
    }
  }

  @Test
  void errorMapperFunctionThrowingStillClosesOnceWithInternal() throws Exception {
    CallEnds ends = new CallEnds();
    try (ChainServer server =
        ChainServer.start(
            2,
            Chains.server(
                ends,
                errors ->
                    errors.on(
                        IllegalStateException.class,
                        e -> {
                          throw new IllegalArgumentException(
                              "mapper broke: " + FaultService.SECRET);
                        })),
            new FaultService())) {
      StatusAssert failed =
          assertThatCall(() -> simple(server, "en").unaryRpc(request("throw")))
              .failsWith(Status.Code.INTERNAL)
              .withDescriptionContaining(TRACE);
      assertThat(failed.status().getDescription()).doesNotContain("hunter2", "mapper broke");
      ends.awaitEnds(1);
      assertThat(ends.closes).containsExactly("UnaryRpc:INTERNAL");
      LoggedEvent line = assertOneErrorLine(IllegalStateException.class);
      assertThat(line.throwable().getSuppressed())
          .singleElement()
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(server.mdcOfEveryPoolThread()).allSatisfy((t, mdc) -> assertThat(mdc).isEmpty());
    }
  }

  @Test
  void stackOverflowErrorIsNotSwallowedAndTheCallStillCloses() throws Exception {
    CallEnds ends = new CallEnds();
    try (ChainServer server =
        ChainServer.start(2, Chains.server(ends, e -> {}), new FaultService())) {
      assertThatCall(() -> simple(server, "en").unaryRpc(request("overflow")))
          .failsWith(Status.Code.INTERNAL)
          .withDescriptionContaining(TRACE);
      // The close reached the transport before the client saw it. onComplete is not awaited: when
      // an Error unwinds, grpc-java's SerializingExecutor strands callbacks queued meanwhile.
      assertThat(ends.closes).containsExactly("UnaryRpc:INTERNAL");
      assertOneErrorLine(StackOverflowError.class);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (server.escaped.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(server.escaped)
          .as("the Error reached the executor's thread")
          .hasAtLeastOneElementOfType(StackOverflowError.class);
      assertThat(server.mdcOfEveryPoolThread()).allSatisfy((t, mdc) -> assertThat(mdc).isEmpty());
      // The server keeps serving after the Error.
      assertThat(simple(server, "en").unaryRpc(request("still alive")).getResponseMessage())
          .isEqualTo("still alive");
    }
  }

  @Test
  void errorFarOverTheTrailerBudgetIsTruncatedAndKeepsItsCodeOverNetty() throws Exception {
    try (ChainServer server = ChainServer.start(2, Chains.server(), new FaultService())) {
      StatusRuntimeException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              StatusRuntimeException.class,
              () -> simple(server, "zh-CN").unaryRpc(request("huge")));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(e.getStatus().getDescription()).startsWith("配额已用尽😀").endsWith("...");
      Metadata trailers = e.getTrailers();
      assertThat(trailers).isNotNull();
      int size = 0;
      for (String key : trailers.keys()) {
        size += key.length() + 32;
        size +=
            key.endsWith("-bin")
                ? (trailers.get(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER)).length * 4
                        + 2)
                    / 3
                : trailers.get(Rpc.ascii(key)).length();
      }
      size += "grpc-message".length() + 32 + percentEncoded(e.getStatus().getDescription());
      assertThat(size)
          .isLessThanOrEqualTo(io.github.grpcmiddleware.errors.ErrorMapping.DEFAULT_TRAILER_BUDGET);
    }
  }

  private static int percentEncoded(String text) {
    int n = 0;
    for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      n += b >= ' ' && b < 0x7f && b != '%' ? 1 : 3;
    }
    return n;
  }
}
