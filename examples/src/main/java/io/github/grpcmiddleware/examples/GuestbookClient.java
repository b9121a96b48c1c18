package io.github.grpcmiddleware.examples;

import io.github.grpcmiddleware.chain.ClientChain;
import io.github.grpcmiddleware.errors.ErrorReport;
import io.github.grpcmiddleware.examples.guestbook.GuestbookGrpc;
import io.github.grpcmiddleware.examples.guestbook.SignRequest;
import io.github.grpcmiddleware.logging.AccessLog;
import io.github.grpcmiddleware.otel.GrpcTracing;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.opentelemetry.api.OpenTelemetry;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example server's client of the Go guestbook ({@code examples/go-server}, {@code
 * guestbook.proto}), through core's {@link ClientChain}: the call continues the server call's trace
 * (a CLIENT span under {@code --otel}/{@code --zipkin}, else core's {@code traceparent}), is logged
 * by the client access log, and a failure is decoded with {@link ErrorReport} and logged with the
 * Go server's details before it is rethrown, for error mapping to translate.
 */
final class GuestbookClient implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(GuestbookClient.class);

  private final ManagedChannel channel;
  private final GuestbookGrpc.GuestbookBlockingStub guestbook;

  private GuestbookClient(ManagedChannel channel) {
    this.channel = channel;
    this.guestbook = GuestbookGrpc.newBlockingStub(channel);
  }

  /**
   * Connects to the guestbook at {@code target}.
   *
   * @param target {@code HOST:PORT} of the Go server
   * @param openTelemetry when not null, each call is a CLIENT span of this SDK
   * @return the client; close it when the server stops
   */
  static GuestbookClient connect(String target, @Nullable OpenTelemetry openTelemetry) {
    ManagedChannel channel =
        NettyChannelBuilder.forTarget(target)
            .usePlaintext()
            .intercept(
                ClientChain.builder()
                    .tracing(
                        openTelemetry == null
                            ? TraceIds.newClientInterceptor()
                            : GrpcTracing.newClientInterceptor(openTelemetry))
                    .observability(AccessLog.newClientInterceptor())
                    .build())
            .build();
    return new GuestbookClient(channel);
  }

  /**
   * Signs {@code name} into the guestbook.
   *
   * @param name who is greeted
   * @return the entry's number
   * @throws StatusRuntimeException the Go server's error, after it was logged
   */
  long sign(String name) {
    try {
      return guestbook
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .sign(SignRequest.newBuilder().setName(name).build())
          .getEntry();
    } catch (StatusRuntimeException e) {
      logger.warn(
          "guestbook.Guestbook/Sign for {} failed: {}", LogText.escape(name), ErrorReport.from(e));
      throw e;
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
