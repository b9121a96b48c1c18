package io.github.grpcmiddleware.errors;

import static io.github.grpcmiddleware.errors.ErrorTestSupport.TRACE_ID;
import static io.github.grpcmiddleware.errors.ErrorTestSupport.clientVisible;
import static io.github.grpcmiddleware.errors.ErrorTestSupport.detail;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.ErrorInfo;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testsupport.Rpcs;
import io.github.grpcmiddleware.trace.TraceIdTestInterceptor;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Collections;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class ErrorMappingRegistryTest {
  @RegisterExtension
  final LogCapture logs = LogCapture.forLogger(ErrorMapping.class).atLevel("DEBUG");

  static class BaseException extends RuntimeException {
    BaseException(String message) {
      super(message);
    }
  }

  static class SubException extends BaseException {
    SubException(String message) {
      super(message);
    }
  }

  private final FailingService service = new FailingService();
  private volatile ServerInterceptor mapping = ErrorMapping.serverBuilder().build();

  @RegisterExtension
  final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(service)
          .interceptor(
              new TraceIdTestInterceptor(TRACE_ID),
              new ServerInterceptor() {
                @Override
                public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
                    ServerCall<ReqT, RespT> call,
                    Metadata headers,
                    ServerCallHandler<ReqT, RespT> next) {
                  return mapping.interceptCall(call, headers, next);
                }
              })
          .build();

  private StatusRuntimeException call(ServerInterceptor errors, Rpcs rpc, Throwable failure) {
    service.failure = () -> failure;
    mapping = errors;
    return rpc.fail(grpc.channel());
  }

  static Stream<Arguments> jdkMappings() {
    return Stream.of(
        Arguments.of(new IllegalArgumentException("x"), Status.Code.INVALID_ARGUMENT),
        Arguments.of(new NumberFormatException("x"), Status.Code.INVALID_ARGUMENT),
        Arguments.of(new IllegalStateException("x"), Status.Code.FAILED_PRECONDITION),
        Arguments.of(new UnsupportedOperationException("x"), Status.Code.UNIMPLEMENTED),
        Arguments.of(new NoSuchElementException("x"), Status.Code.NOT_FOUND),
        Arguments.of(new TimeoutException("x"), Status.Code.DEADLINE_EXCEEDED),
        Arguments.of(new CancellationException("x"), Status.Code.CANCELLED));
  }

  @ParameterizedTest
  @MethodSource("jdkMappings")
  void commonJdkMappingsAreOptIn(Throwable failure, Status.Code expected) throws Exception {
    for (Rpcs rpc : Rpcs.values()) {
      StatusRuntimeException opted =
          call(ErrorMapping.serverBuilder().withCommonJdkMappings().build(), rpc, failure);
      assertThat(opted.getStatus().getCode()).as(rpc.name()).isEqualTo(expected);
      assertThat(opted.getStatus().getDescription())
          .isEqualTo(DefaultMessageResolver.INSTANCE.forCode(expected, List0.EMPTY).getMessage());
      assertThat(clientVisible(opted)).doesNotContain("java.");
    }
    StatusRuntimeException plain = call(ErrorMapping.serverBuilder().build(), Rpcs.UNARY, failure);
    assertThat(plain.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
  }

  @Test
  void explicitRegistrationOverridesAJdkMapping() {
    ServerInterceptor mapping =
        ErrorMapping.serverBuilder()
            .withCommonJdkMappings()
            .on(IllegalArgumentException.class, Status.Code.OUT_OF_RANGE)
            .build();

    assertThat(call(mapping, Rpcs.UNARY, new IllegalArgumentException()).getStatus().getCode())
        .isEqualTo(Status.Code.OUT_OF_RANGE);
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void mostSpecificTypeWinsWhateverTheOrder(Rpcs rpc) {
    ServerInterceptor baseFirst =
        ErrorMapping.serverBuilder()
            .on(BaseException.class, Status.Code.ABORTED)
            .on(SubException.class, Status.Code.NOT_FOUND)
            .build();
    ServerInterceptor subFirst =
        ErrorMapping.serverBuilder()
            .on(SubException.class, Status.Code.NOT_FOUND)
            .on(BaseException.class, Status.Code.ABORTED)
            .build();

    for (ServerInterceptor mapping : new ServerInterceptor[] {baseFirst, subFirst}) {
      assertThat(call(mapping, rpc, new SubException("s")).getStatus().getCode())
          .isEqualTo(Status.Code.NOT_FOUND);
      assertThat(call(mapping, rpc, new BaseException("b")).getStatus().getCode())
          .isEqualTo(Status.Code.ABORTED);
    }
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void functionReturningNullFallsThroughToTheSupertype(Rpcs rpc) throws Exception {
    ServerInterceptor mapping =
        ErrorMapping.serverBuilder()
            .on(
                SubException.class,
                e ->
                    "mine".equals(e.getMessage())
                        ? ServiceException.builder(Status.Code.NOT_FOUND, "sub")
                            .defaultMessage("sub mapped")
                            .errorInfo("SUB", "example.com", Collections.emptyMap())
                            .build()
                        : null)
            .on(BaseException.class, Status.Code.ABORTED)
            .build();

    StatusRuntimeException mine = call(mapping, rpc, new SubException("mine"));
    assertThat(mine.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(mine.getStatus().getDescription()).isEqualTo("sub mapped");
    assertThat(detail(mine, ErrorInfo.class).getReason()).isEqualTo("SUB");
    assertThat(call(mapping, rpc, new SubException("other")).getStatus().getCode())
        .isEqualTo(Status.Code.ABORTED);
  }

  @Test
  void functionReturningNullWithoutSupertypeFallsToInternal() {
    ServerInterceptor mapping =
        ErrorMapping.serverBuilder().on(SubException.class, e -> null).build();

    assertThat(call(mapping, Rpcs.UNARY, new SubException("x")).getStatus().getCode())
        .isEqualTo(Status.Code.INTERNAL);
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void throwingMapperGivesInternalAndOneErrorLine(Rpcs rpc) throws Exception {
    ServerInterceptor mapping =
        ErrorMapping.serverBuilder()
            .on(
                SubException.class,
                e -> {
                  throw new IllegalStateException("mapper bug secret");
                })
            .build();
    StatusRuntimeException e = call(mapping, rpc, new SubException("original secret"));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription()).contains(TRACE_ID);
    assertThat(clientVisible(e)).doesNotContain("secret");
    assertThat(logs.events("ERROR")).hasSize(1);
    assertThat(
            Objects.requireNonNull(logs.events("ERROR").get(0).throwable())
                .getSuppressed()[0]
                .getMessage())
        .isEqualTo("mapper bug secret");
  }

  @Test
  void translatedDownstreamCodesBecomeInternal() throws Exception {
    ServerInterceptor mapping =
        ErrorMapping.serverBuilder().translateDownstream(Status.Code.UNAUTHENTICATED).build();
    Supplier<Throwable> downstream =
        () -> Status.UNAUTHENTICATED.withDescription("downstream token expired").asException();

    StatusRuntimeException e = call(mapping, Rpcs.UNARY, downstream.get());
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(clientVisible(e)).doesNotContain("downstream");
    service.viaOnError = true;
    assertThat(call(mapping, Rpcs.BIDI_STREAMING, downstream.get()).getStatus().getCode())
        .isEqualTo(Status.Code.INTERNAL);
    StatusRuntimeException other =
        call(mapping, Rpcs.UNARY, Status.NOT_FOUND.withDescription("nope").asException());
    assertThat(other.getStatus().getDescription()).isEqualTo("nope");
  }

  @Test
  void buildRejectsBadConfiguration() {
    assertThatThrownBy(
            () ->
                ErrorMapping.serverBuilder()
                    .on(BaseException.class, Status.Code.ABORTED)
                    .on(BaseException.class, e -> null)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate mapping for " + BaseException.class.getName());
    assertThatThrownBy(() -> ErrorMapping.serverBuilder().trailerBudget(100).build())
        .hasMessage("trailerBudget: 100 (expected: >= 512)");
    assertThatThrownBy(
            () -> ErrorMapping.serverBuilder().on(BaseException.class, Status.Code.OK).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> ErrorMapping.serverBuilder().translateDownstream(Status.Code.OK).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ServiceException.builder(Status.Code.OK, "k"))
        .hasMessage("code: OK (expected: an error code)");
  }

  /** Empty argument list shorthand. */
  static final class List0 {
    static final java.util.List<Object> EMPTY = Collections.emptyList();
  }
}
