package io.github.grpcmiddleware.errors;

import static io.github.grpcmiddleware.errors.ErrorTestSupport.CONTENT_LANGUAGE;
import static io.github.grpcmiddleware.errors.ErrorTestSupport.TRACE_ID;
import static io.github.grpcmiddleware.errors.ErrorTestSupport.clientVisible;
import static io.github.grpcmiddleware.errors.ErrorTestSupport.detail;
import static io.github.grpcmiddleware.errors.ErrorTestSupport.trailers;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.LocalizedMessage;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testsupport.Rpcs;
import io.github.grpcmiddleware.trace.TraceIdTestInterceptor;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ErrorMappingCallbacksTest {
  @RegisterExtension
  final LogCapture logs = LogCapture.forLogger(ErrorMapping.class).atLevel("DEBUG");

  /** What the interceptor inside error mapping does; PASS does nothing. */
  enum Inner {
    PASS,
    THROW_IN_START_CALL,
    THROW_STATUS_IN_START_CALL,
    THROW_IN_INNER_ON_MESSAGE,
    CLOSE_WITH_SERVICE_EXCEPTION,
    CLOSE_EXPLICITLY
  }

  private final FailingService service = new FailingService();
  private volatile Inner inner = Inner.PASS;
  private final AtomicInteger closes = new AtomicInteger();
  private final List<Throwable> escaped = new CopyOnWriteArrayList<>();
  private static final Metadata.Key<String> CUSTOM =
      Metadata.Key.of("x-custom", Metadata.ASCII_STRING_MARSHALLER);

  @RegisterExtension
  final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(service)
          .interceptor(
              new TraceIdTestInterceptor(TRACE_ID),
              new Outer(),
              ErrorMapping.serverBuilder().build(),
              new InnerInterceptor())
          .build();

  @Test
  void exceptionInOnMessageStopsLaterCallbacks() {
    for (Rpcs rpc : new Rpcs[] {Rpcs.CLIENT_STREAMING, Rpcs.BIDI_STREAMING}) {
      service.messagesSeen.set(0);
      service.halfClosesSeen.set(0);

      StatusRuntimeException e = rpc.fail(grpc.channel());

      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
      assertThat(service.messagesSeen).hasValue(1);
      assertThat(service.halfClosesSeen).hasValue(0);
    }
  }

  @Test
  void exceptionInOnReadyIsMapped() throws Exception {
    service.failInOnReady = true;
    StatusRuntimeException e = Rpcs.BIDI_STREAMING.fail(grpc.channel());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(clientVisible(e)).doesNotContain("hunter2");
    assertThat(logs.events("ERROR")).hasSize(1);
    assertThat(service.halfClosesSeen).hasValue(0);
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void exceptionFromInnerInterceptorStartCallIsMapped(Rpcs rpc) {
    inner = Inner.THROW_IN_START_CALL;

    StatusRuntimeException e = rpc.fail(grpc.channel());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription()).contains(TRACE_ID).doesNotContain("inner secret");
    assertThat(closes).hasValue(1);
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void statusFromInnerStartCallKeepsItsTrailers(Rpcs rpc) {
    inner = Inner.THROW_STATUS_IN_START_CALL;

    StatusRuntimeException e = rpc.fail(grpc.channel());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.getStatus().getDescription()).isEqualTo("slow down");
    assertThat(trailers(e).get(CUSTOM)).isEqualTo("from inner");
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void exceptionFromInnerListenerIsMappedOnce(Rpcs rpc) {
    inner = Inner.THROW_IN_INNER_ON_MESSAGE;

    StatusRuntimeException e = rpc.fail(grpc.channel());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
    assertThat(service.messagesSeen).hasValue(0);
    assertThat(service.halfClosesSeen).hasValue(0);
    assertThat(closes).hasValue(1);
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void closeWhoseCauseIsAServiceExceptionIsRendered(Rpcs rpc) throws Exception {
    inner = Inner.CLOSE_WITH_SERVICE_EXCEPTION;

    StatusRuntimeException e = rpc.fail(grpc.channel());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(e.getStatus().getDescription()).isEqualTo("Authentication is required.");
    assertThat(detail(e, LocalizedMessage.class).getLocale()).isEqualTo("en");
    assertThat(trailers(e).get(CONTENT_LANGUAGE)).isEqualTo("en");
    assertThat(trailers(e).get(CUSTOM)).isEqualTo("auth trailer");
    assertThat(closes).hasValue(1);
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void explicitCloseWithoutCausePassesThrough(Rpcs rpc) {
    inner = Inner.CLOSE_EXPLICITLY;

    StatusRuntimeException e = rpc.fail(grpc.channel());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(e.getStatus().getDescription()).isEqualTo("explicit");
    assertThat(trailers(e).get(CONTENT_LANGUAGE)).isNull();
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void errorClosesTheCallAndPropagates(Rpcs rpc) throws Exception {
    service.failure = () -> new StackOverflowError("deep secret");
    StatusRuntimeException e = rpc.fail(grpc.channel());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(clientVisible(e)).doesNotContain("deep secret");
    awaitEscaped();
    assertThat(escaped).hasSize(1).first().isInstanceOf(StackOverflowError.class);
    assertThat(logs.events("ERROR")).hasSize(1);
    assertThat(closes).hasValue(1);
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void throwingAfterOnErrorClosesOnceAndKeepsTheFirstStatus(Rpcs rpc) {
    service.viaOnError = true;
    service.failure = () -> ServiceException.builder(Status.Code.NOT_FOUND, "gone").build();
    inner = Inner.PASS;

    StatusRuntimeException e = rpc.fail(grpc.channel());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(closes).hasValue(1);
  }

  /** The call closes before the Error is rethrown past error mapping: wait for it briefly. */
  private void awaitEscaped() throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (escaped.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }

  /** Outside error mapping: counts closes and records what escapes the listener (Errors). */
  private final class Outer implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      ServerCall<ReqT, RespT> counting =
          new ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
              closes.incrementAndGet();
              super.close(status, trailers);
            }
          };
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT>(
          next.startCall(counting, headers)) {
        @Override
        public void onMessage(ReqT message) {
          record(() -> super.onMessage(message));
        }

        @Override
        public void onHalfClose() {
          record(super::onHalfClose);
        }

        @Override
        public void onReady() {
          record(super::onReady);
        }
      };
    }

    private void record(Runnable callback) {
      try {
        callback.run();
      } catch (Throwable t) {
        escaped.add(t); // swallowed here so the test's executor threads survive
      }
    }
  }

  private final class InnerInterceptor implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      Metadata trailers = new Metadata();
      switch (inner) {
        case THROW_IN_START_CALL:
          throw new IllegalStateException("inner secret");
        case THROW_STATUS_IN_START_CALL:
          trailers.put(CUSTOM, "from inner");
          throw Status.RESOURCE_EXHAUSTED.withDescription("slow down").asRuntimeException(trailers);
        case CLOSE_WITH_SERVICE_EXCEPTION:
          trailers.put(CUSTOM, "auth trailer");
          ServiceException cause =
              ServiceException.builder(Status.Code.UNAUTHENTICATED, MessageKeys.AUTH_MISSING)
                  .build();
          call.close(Status.UNAUTHENTICATED.withCause(cause), trailers);
          return new ServerCall.Listener<ReqT>() {};
        case CLOSE_EXPLICITLY:
          call.close(Status.PERMISSION_DENIED.withDescription("explicit"), trailers);
          return new ServerCall.Listener<ReqT>() {};
        case THROW_IN_INNER_ON_MESSAGE:
          return new ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT>(
              next.startCall(call, headers)) {
            @Override
            public void onMessage(ReqT message) {
              throw ServiceException.builder(Status.Code.ABORTED, "k").build();
            }
          };
        default:
          return next.startCall(call, headers);
      }
    }
  }
}
