package io.github.grpcmiddleware.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.errors.MessageResolver;
import io.github.grpcmiddleware.logging.AccessLog;
import io.github.grpcmiddleware.metrics.GrpcMetrics;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.github.grpcmiddleware.testsupport.CallTimers;
import io.github.grpcmiddleware.testsupport.RawBytes;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Every record of a call (access-log line, timer) says what the client received, exactly once, also
 * when grpc-java closes the call itself past every interceptor. Netty on 127.0.0.1, because the
 * transport is what closes those calls.
 */
@SuppressWarnings("NullAway") // server and channel are set by each test's start()
class TruthfulOutcomesTest {

  private static final MethodDescriptor<byte[], byte[]> RAW_UNARY =
      RawBytes.unary(SimpleServiceGrpc.getUnaryRpcMethod().getFullMethodName());

  /** A method whose response cannot be serialized. */
  private static final MethodDescriptor<byte[], byte[]> BROKEN_RESPONSE =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("test.Broken/Respond")
          .setRequestMarshaller(new RawBytes())
          .setResponseMarshaller(
              new RawBytes() {
                @Override
                public InputStream stream(byte[] value) {
                  throw new IllegalStateException("response marshaller failed");
                }
              })
          .build();

  private static final Metadata.Key<String> X_TRACE_ID =
      Metadata.Key.of("x-trace-id", Metadata.ASCII_STRING_MARSHALLER);

  @RegisterExtension
  final LogCapture accessLog = LogCapture.forLogger(AccessLog.SERVER_LOGGER_NAME);

  @RegisterExtension final LogCapture errors = LogCapture.forLogger(ErrorMapping.class);

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final Map<String, String> handlerMdc = new ConcurrentHashMap<>();
  private final List<AutoCloseable> cleanups = new ArrayList<>();
  private Server server;
  private ManagedChannel channel;

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable cleanup : cleanups) {
      cleanup.close();
    }
    if (channel != null) {
      channel.shutdownNow();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    executor.shutdownNow();
  }

  // ---- 1: a request that does not decode

  @Test
  void anUndecodableRequestIsRecordedWithTheStatusTheClientGot() throws Exception {
    start(true, observability());

    Status client = callRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, -1});

    assertThat(client.getCode()).isNotEqualTo(Status.Code.OK);
    assertRecordedOnce(SimpleServiceGrpc.getUnaryRpcMethod().getFullMethodName(), client.getCode());
  }

  @Test
  void withoutTheTracerAnUndecodableRequestIsNeverRecordedAsOk() throws Exception {
    start(false, observability());

    Status client = callRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, -1});

    assertThat(client.getCode()).isEqualTo(Status.Code.UNKNOWN);
    // Without the tracer only what the wrappers saw can be recorded: UNKNOWN on grpc-java 1.85
    // (it reads a unary request at the half-close, and the service never runs), or the INTERNAL
    // the service then closed with on older versions (the half-close still reached it, with no
    // request). Never OK; ServerChain.install records exactly what the client got.
    assertRecordedOnceAsOneOf(
        SimpleServiceGrpc.getUnaryRpcMethod().getFullMethodName(),
        Status.Code.UNKNOWN,
        Status.Code.INTERNAL);
  }

  // ---- 1: a response that does not serialize

  @Test
  void aResponseThatDoesNotSerializeIsRecordedAsTheServerFailedIt() throws Exception {
    start(true, observability(), broken());

    Status client =
        statusOf(
            () ->
                ClientCalls.blockingUnaryCall(
                    channel,
                    BROKEN_RESPONSE,
                    CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
                    new byte[0]));

    // grpc-java cancels the stream with INTERNAL ("Internal error so cancelling stream"); on the
    // wire that is a RST_STREAM, which a grpc-java client reports as CANCELLED. The record keeps
    // the server's INTERNAL: never OK, and never a cancel the client did not make.
    assertThat(client.getCode()).isEqualTo(Status.Code.CANCELLED);
    assertRecordedOnce(BROKEN_RESPONSE.getFullMethodName(), Status.Code.INTERNAL);
  }

  // ---- 1 and 2: a listener or startCall that throws, with no error mapping inside

  @Test
  void aThrowingHandlerWithNoErrorMappingInsideIsRecordedAsTheClientSawIt() throws Exception {
    start(true, observability());

    Status client = statusOf(() -> stub().unaryRpc(request("throw")));

    assertThat(client.getCode()).isEqualTo(Status.Code.UNKNOWN);
    assertRecordedOnce(
        SimpleServiceGrpc.getUnaryRpcMethod().getFullMethodName(), Status.Code.UNKNOWN);
  }

  @Test
  void aThrowingStartCallLeavesOneRecord() throws Exception {
    start(true, observability().application(throwingInterceptor()));

    Status client = statusOf(() -> stub().unaryRpc(request("ok")));

    assertThat(client.getCode()).isEqualTo(Status.Code.UNKNOWN);
    assertRecordedOnce(
        SimpleServiceGrpc.getUnaryRpcMethod().getFullMethodName(), Status.Code.UNKNOWN);
  }

  @Test
  void withoutTheTracerAThrowingStartCallStillLeavesOneRecord() throws Exception {
    start(false, observability().application(throwingInterceptor()));

    Status client = statusOf(() -> stub().unaryRpc(request("ok")));

    assertThat(client.getCode()).isEqualTo(Status.Code.UNKNOWN);
    assertRecordedOnce(
        SimpleServiceGrpc.getUnaryRpcMethod().getFullMethodName(), Status.Code.UNKNOWN);
  }

  // ---- 3: unknown methods

  @Test
  void unknownMethodsGetOneLineWithTheirNameEscapedAndOneTag() throws Exception {
    start(true, observability());
    MethodDescriptor<byte[], byte[]> unknown =
        RAW_UNARY.toBuilder().setFullMethodName("evil.Service/x=\"y\"").build();

    Status client =
        statusOf(
            () ->
                ClientCalls.blockingUnaryCall(
                    channel,
                    unknown,
                    CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
                    new byte[0]));

    assertThat(client.getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    LoggedEvent line = awaitLine();
    assertThat(line.message())
        .startsWith("server \"evil.Service/x=\\\"y\\\"\" UNKNOWN UNIMPLEMENTED ");
    awaitTimer(GrpcMetrics.UNKNOWN_METHOD, "UNIMPLEMENTED");
    assertThat(timerCount(GrpcMetrics.UNKNOWN_METHOD, "UNIMPLEMENTED")).isEqualTo(1);
    stop();
    assertThat(accessLog.events()).hasSize(1);
    assertThat(registry.find("grpc.server.calls").timers()).hasSize(1);
  }

  // ---- 4: onError after onCompleted

  @Test
  void anOnErrorAfterOnCompletedIsIgnoredQuietly() throws Exception {
    start(true, observability().errorMapping(ErrorMapping.serverBuilder().build()));

    SimpleResponse response = stub().unaryRpc(request("late-error"));

    assertThat(response.getResponseMessage()).isEqualTo("late-error");
    LoggedEvent line = awaitLine();
    assertThat(code(line)).isEqualTo("OK");
    assertThat(line.message()).contains(" error=- ");
    awaitTimer(SimpleServiceGrpc.getUnaryRpcMethod().getFullMethodName(), "OK");
    stop();
    assertThat(errors.events()).noneMatch(e -> e.level().equals("ERROR"));
    assertThat(timerCount(SimpleServiceGrpc.getUnaryRpcMethod().getFullMethodName(), "OK"))
        .isEqualTo(1);
  }

  // ---- 5: rendering fails and logging fails too

  @Test
  void aFailureIsClosedEvenWhenRenderingAndLoggingBothFail() throws Exception {
    MessageResolver broken =
        (context, key, args) -> {
          throw new IllegalStateException("catalog broken");
        };
    start(
        true,
        observability().errorMapping(ErrorMapping.serverBuilder().messageResolver(broken).build()));
    Logger errorLogger = (Logger) LoggerFactory.getLogger(ErrorMapping.class);
    AppenderBase<ILoggingEvent> failing =
        new AppenderBase<ILoggingEvent>() {
          @Override
          protected void append(ILoggingEvent event) {
            throw new BrokenAppenderError();
          }
        };
    failing.start();
    errorLogger.addAppender(failing);
    cleanups.add(() -> errorLogger.detachAppender(failing));

    Status client = statusOf(() -> stub().unaryRpc(request("throw")));

    assertThat(client.getCode()).isEqualTo(Status.Code.INTERNAL);
    assertRecordedOnce(
        SimpleServiceGrpc.getUnaryRpcMethod().getFullMethodName(), Status.Code.INTERNAL);
  }

  // ---- 8: the same chain installed twice

  @Test
  void theSameChainInstalledTwiceRunsOnce() throws Exception {
    ServerInterceptor chain =
        observability()
            .tracing(TraceIds.newServerInterceptor())
            .observability(AccessLog.serverBuilder().build())
            .observability(GrpcMetrics.serverBuilder(registry).build())
            .build();
    ServerBuilder<?> builder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .executor(executor)
            .addService(ServerChain.intercept(new Service(), chain));
    server = ServerChain.install(builder, chain).build().start();
    connect();
    AtomicReference<Metadata> headers = new AtomicReference<>();

    SimpleServiceGrpc.newBlockingStub(channel)
        .withInterceptors(
            MetadataUtils.newCaptureMetadataInterceptor(headers, new AtomicReference<>()))
        .unaryRpc(request("ok"));

    String echoed = Objects.requireNonNull(headers.get()).get(X_TRACE_ID);
    assertThat(echoed).matches("[0-9a-f]{32}");
    assertThat(handlerMdc).containsEntry("traceId", echoed);
    LoggedEvent line = awaitLine();
    assertThat(line.message()).contains(" traceId=" + echoed + " ");
    awaitTimer(SimpleServiceGrpc.getUnaryRpcMethod().getFullMethodName(), "OK");
    stop();
    assertThat(accessLog.events()).hasSize(1);
    assertThat(timerCount(SimpleServiceGrpc.getUnaryRpcMethod().getFullMethodName(), "OK"))
        .isEqualTo(1);
  }

  // ---- 9: values a caller controls cannot forge fields

  @Test
  void aForgingUserAgentStaysOneQuotedField() throws Exception {
    start(true, observability());
    channel.shutdownNow();
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port())
            .usePlaintext()
            .userAgent("curl/8 error=- FORGED principal=admin traceId=" + "0".repeat(32))
            .build();

    stub().unaryRpc(request("ok"));

    LoggedEvent line = awaitLine();
    Map<String, List<String>> fields = fields(line.message());
    assertThat(fields.get("principal")).containsExactly("-");
    assertThat(fields.get("error")).containsExactly("-");
    assertThat(fields.get("traceId")).hasSize(1);
    assertThat(fields.get("userAgent"))
        .singleElement()
        .asString()
        .startsWith("\"curl/8 error=- FORGED");
    assertThat(line.message()).doesNotContain("\n");
  }

  // ---- helpers

  private static ServerChainBuilder observability() {
    return ServerChain.builder();
  }

  private void start(boolean tracer, ServerChainBuilder parts) throws IOException {
    start(tracer, parts, null);
  }

  private void start(
      boolean tracer, ServerChainBuilder parts, @Nullable ServerServiceDefinition extra)
      throws IOException {
    ServerInterceptor chain =
        parts
            .observability(AccessLog.serverBuilder().build())
            .observability(GrpcMetrics.serverBuilder(registry).build())
            .build();
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .executor(executor)
            .addService(new Service());
    if (extra != null) {
      builder.addService(extra);
    }
    server =
        (tracer ? ServerChain.install(builder, chain) : builder.intercept(chain)).build().start();
    connect();
  }

  private void connect() {
    channel = NettyChannelBuilder.forAddress("127.0.0.1", port()).usePlaintext().build();
  }

  private int port() {
    return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
  }

  /** Stops the server and waits for every callback, so that nothing can be recorded later. */
  private void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdown().awaitTermination(5, TimeUnit.SECONDS);
    // Listener callbacks run on the executor: let the queued ones finish.
    awaitQuiet(executor);
  }

  private static void awaitQuiet(ExecutorService pool) throws InterruptedException {
    for (int i = 0; i < 2; i++) {
      try {
        pool.submit(() -> {}).get(5, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new AssertionError(e);
      }
    }
  }

  private SimpleServiceGrpc.SimpleServiceBlockingStub stub() {
    return SimpleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  private Status callRaw(byte[] body) {
    return statusOf(
        () ->
            ClientCalls.blockingUnaryCall(
                channel,
                RAW_UNARY,
                CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
                body));
  }

  private static Status statusOf(Runnable call) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
    assertThat(e).as("the call failed").isNotNull();
    return e.getStatus();
  }

  private void assertRecordedOnce(String method, Status.Code code) throws InterruptedException {
    LoggedEvent line = awaitLine();
    assertThat(line.message()).startsWith("server " + method + " ");
    assertThat(code(line)).isEqualTo(code.name());
    awaitTimer(method, code.name());
    stop();
    assertThat(accessLog.events()).as("access-log lines").hasSize(1);
    assertThat(timerCount(method, code.name())).isEqualTo(1);
    assertThat(registry.find("grpc.server.calls").timers()).as("timers").hasSize(1);
  }

  /** Recorded once, by the access log and the timer alike, as one of {@code codes}. */
  private void assertRecordedOnceAsOneOf(String method, Status.Code... codes)
      throws InterruptedException {
    LoggedEvent line = awaitLine();
    String code = code(line);
    assertThat(code).isIn(java.util.Arrays.stream(codes).map(Status.Code::name).toArray());
    assertRecordedOnce(method, Status.Code.valueOf(code));
  }

  private LoggedEvent awaitLine() {
    return accessLog.await(e -> e.message().startsWith("server "), Duration.ofSeconds(5));
  }

  private static String code(LoggedEvent line) {
    return line.message().split(" ")[3];
  }

  private void awaitTimer(String method, String code) throws InterruptedException {
    CallTimers.await(timers(method, code), 1, Duration.ofSeconds(5));
  }

  private long timerCount(String method, String code) {
    return CallTimers.count(timers(method, code));
  }

  private Search timers(String method, String code) {
    return registry.find("grpc.server.calls").tag("grpc.method", method).tag("grpc.status", code);
  }

  private static final Pattern FIELD = Pattern.compile("(\\w+)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S*)");

  /** Reads key=value fields as a log parser would: quoted values are one field. */
  private static Map<String, List<String>> fields(String line) {
    Map<String, List<String>> fields = new HashMap<>();
    Matcher m = FIELD.matcher(line);
    while (m.find()) {
      fields.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(m.group(2));
    }
    return fields;
  }

  private static SimpleRequest request(String text) {
    return SimpleRequest.newBuilder().setRequestMessage(text).build();
  }

  private static ServerInterceptor throwingInterceptor() {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        throw new IllegalStateException("interceptor failed");
      }
    };
  }

  private static ServerServiceDefinition broken() {
    return ServerServiceDefinition.builder("test.Broken")
        .addMethod(
            BROKEN_RESPONSE,
            ServerCalls.asyncUnaryCall(
                (request, responses) -> {
                  responses.onNext(new byte[] {1});
                  responses.onCompleted();
                }))
        .build();
  }

  private final class Service extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
      String traceId = MDC.get("traceId");
      if (traceId != null) {
        handlerMdc.put("traceId", traceId);
      }
      switch (request.getRequestMessage()) {
        case "throw":
          throw new IllegalStateException("handler failed");
        case "late-error":
          responses.onNext(SimpleResponse.newBuilder().setResponseMessage("late-error").build());
          responses.onCompleted();
          responses.onError(new IllegalStateException("too late"));
          return;
        default:
          responses.onNext(SimpleResponse.newBuilder().setResponseMessage("ok").build());
          responses.onCompleted();
      }
    }
  }

  /** Stands for a logging backend that fails hard (an OutOfMemoryError while appending). */
  private static final class BrokenAppenderError extends Error {
    private static final long serialVersionUID = 1L;

    BrokenAppenderError() {
      super("appender broken", null, false, false);
    }
  }
}
