package io.github.grpcmiddleware.i18n;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Any;
import com.google.rpc.LocalizedMessage;
import com.google.rpc.QuotaFailure;
import com.google.rpc.RetryInfo;
import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.limits.LimitKey;
import io.github.grpcmiddleware.limits.Limits;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A limit's rejection in the caller's language, with its RetryInfo and QuotaFailure kept. */
class LimitsI18nTest {

  static final class OkService extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
      out.onNext(SimpleResponse.newBuilder().setResponseMessage("ok").build());
      out.onCompleted();
    }
  }

  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new OkService())
          .interceptor(
              ServerChain.builder()
                  .locale(
                      Locales.serverBuilder()
                          .supported(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE)
                          .defaultLocale(Locale.ENGLISH)
                          .build())
                  .errorMapping(
                      ErrorMapping.serverBuilder()
                          .messageResolver(LocalizedMessages.builder().build())
                          .build())
                  .limits(
                      Limits.serverBuilder()
                          .rateLimit(
                              "hourly",
                              MethodSelector.of("*"),
                              LimitKey.global(),
                              1,
                              Duration.ofHours(1))
                          .build())
                  .build())
          .build();

  @Test
  void rejectionIsInSimplifiedChineseWithRetryInfoAndQuotaFailure() throws Exception {
    Metadata headers = new Metadata();
    headers.put(LocalesServerInterceptorTest.ACCEPT_LANGUAGE, "zh-CN");
    SimpleServiceGrpc.SimpleServiceBlockingStub stub =
        SimpleServiceGrpc.newBlockingStub(grpc.channel())
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    SimpleRequest request = SimpleRequest.getDefaultInstance();
    assertThat(stub.unaryRpc(request).getResponseMessage()).isEqualTo("ok");

    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> stub.unaryRpc(request));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.getStatus().getDescription()).isEqualTo("请求过多，请稍后重试。");
    assertThat(
            Objects.requireNonNull(e.getTrailers())
                .get(LocalesServerInterceptorTest.CONTENT_LANGUAGE))
        .isEqualTo("zh-CN");
    com.google.rpc.Status details = Objects.requireNonNull(StatusProto.fromThrowable(e));
    LocalizedMessage localized = null;
    RetryInfo retry = null;
    QuotaFailure quota = null;
    for (Any any : details.getDetailsList()) {
      if (any.is(LocalizedMessage.class)) {
        localized = any.unpack(LocalizedMessage.class);
      } else if (any.is(RetryInfo.class)) {
        retry = any.unpack(RetryInfo.class);
      } else if (any.is(QuotaFailure.class)) {
        quota = any.unpack(QuotaFailure.class);
      }
    }
    assertThat(localized).isNotNull();
    assertThat(Objects.requireNonNull(localized).getLocale()).isEqualTo("zh-CN");
    assertThat(localized.getMessage()).isEqualTo("请求过多，请稍后重试。");
    assertThat(retry).isNotNull();
    // One token per hour, just taken: the next one is due in (almost exactly) an hour.
    assertThat(Objects.requireNonNull(retry).getRetryDelay().getSeconds()).isBetween(3590L, 3600L);
    assertThat(Objects.requireNonNull(quota).getViolations(0).getDescription())
        .startsWith("hourly:");
  }
}
