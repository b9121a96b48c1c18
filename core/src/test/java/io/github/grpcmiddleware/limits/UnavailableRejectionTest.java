package io.github.grpcmiddleware.limits;

import static io.github.grpcmiddleware.limits.Harness.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.ErrorInfo;
import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * What a caller gets from an asynchronous limit that fails closed: UNAVAILABLE with ErrorInfo, no
 * quota details, no pushback. The limits part calls {@link LimitRejection#unavailable} when {@link
 * StoreGuard#isUnavailable} holds; here a stand-in part does it for every call.
 */
class UnavailableRejectionTest {

  private static final Metadata.Key<String> PUSHBACK =
      Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

  private static ServerInterceptor failingClosed() {
    LimitRule rule =
        Limits.serverBuilder()
            .asyncLimit(
                "shared-per-caller",
                LimitType.RATE,
                MethodSelector.of("*"),
                LimitKey.principal(),
                key -> () -> new CompletableFuture<>(),
                AsyncLimitOptions.builder().failClosed().build())
            .buildRules()[0];
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        LimitRejection.unavailable(call, rule);
        return new ServerCall.Listener<ReqT>() {};
      }
    };
  }

  private static void assertUnavailable(StatusRuntimeException e) {
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription())
        .isEqualTo("A limit of this service cannot be checked right now. Please retry later.");
    assertThat(Details.types(e)).contains("ErrorInfo").doesNotContain("QuotaFailure", "RetryInfo");
    ErrorInfo info = Details.detail(e, ErrorInfo.class);
    assertThat(info.getReason()).isEqualTo("LIMIT_UNAVAILABLE");
    assertThat(info.getDomain()).isEqualTo("grpcmiddleware");
    assertThat(info.getMetadataMap()).isEqualTo(Map.of("limit", "shared-per-caller"));
    assertThat(Objects.requireNonNull(e.getTrailers()).get(PUSHBACK)).isNull();
  }

  @Test
  void aloneTheCallerGetsUnavailableWithErrorInfo() throws Exception {
    try (Harness h = Harness.inProcess(new ControlledService(), failingClosed())) {
      assertUnavailable(
          catchThrowableOfType(
              StatusRuntimeException.class, () -> h.blocking().unaryRpc(request("ok"))));
    }
  }

  @Test
  void errorMappingRendersItInTheCallersLanguage() throws Exception {
    ServerInterceptor chain =
        ServerChain.builder()
            .errorMapping(ErrorMapping.serverBuilder().build())
            .application(failingClosed())
            .build();
    try (Harness h = Harness.inProcess(new ControlledService(), chain)) {
      StatusRuntimeException e =
          catchThrowableOfType(
              StatusRuntimeException.class, () -> h.blocking().unaryRpc(request("ok")));
      assertUnavailable(e);
      assertThat(
              Objects.requireNonNull(e.getTrailers())
                  .get(Metadata.Key.of("content-language", Metadata.ASCII_STRING_MARSHALLER)))
          .isEqualTo("en");
      assertThat(Details.types(e)).contains("LocalizedMessage");
    }
  }
}
