package io.github.grpcmiddleware.limits;

import static io.github.grpcmiddleware.limits.Harness.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.ErrorInfo;
import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.Metadata;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a caller gets from an asynchronous limit that fails closed: UNAVAILABLE with ErrorInfo, no
 * quota details, no pushback; whether the store failed before the call started (decided on the
 * call's thread) or does not answer within the timeout (decided later).
 */
class UnavailableRejectionTest {

  private static final Metadata.Key<String> PUSHBACK =
      Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

  /** A limit whose store fails at once ({@code late} false) or never answers ({@code late}). */
  private static ServerInterceptor failingClosed(boolean late) {
    return Limits.serverBuilder()
        .asyncLimit(
            "shared-per-caller",
            LimitType.RATE,
            MethodSelector.of("*"),
            LimitKey.principal(),
            key ->
                () ->
                    late
                        ? new CompletableFuture<>()
                        : CompletableFuture.failedFuture(new IllegalStateException("down")),
            AsyncLimitOptions.builder().timeout(Duration.ofMillis(50)).failClosed().build())
        .build();
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

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aloneTheCallerGetsUnavailableWithErrorInfo(boolean late) throws Exception {
    ControlledService service = new ControlledService();
    try (Harness h = Harness.inProcess(service, failingClosed(late))) {
      assertUnavailable(
          catchThrowableOfType(
              StatusRuntimeException.class, () -> h.blocking().unaryRpc(request("ok"))));
      assertThat(service.handled).hasValue(0);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void errorMappingRendersItInTheCallersLanguage(boolean late) throws Exception {
    ServerInterceptor chain =
        ServerChain.builder()
            .errorMapping(ErrorMapping.serverBuilder().build())
            .limits(failingClosed(late))
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
