package io.github.grpcmiddleware.i18n;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import com.google.rpc.LocalizedMessage;
import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
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

/**
 * The server's own deadline cap ends a call with DEADLINE_EXCEEDED in the caller's language, with
 * an ErrorInfo naming the cap, even where error mapping translates a dependency's DEADLINE_EXCEEDED
 * into INTERNAL (the cap is not a dependency's).
 */
class DeadlineCapI18nTest {

  /** Never answers: only the cap ends its calls. */
  static final class SilentService extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {}
  }

  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new SilentService())
          .interceptor(
              ServerChain.builder()
                  .locale(Locales.newServerInterceptor(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE))
                  .errorMapping(
                      ErrorMapping.serverBuilder()
                          .messageResolver(LocalizedMessages.builder().build())
                          .translateDownstream(Status.Code.DEADLINE_EXCEEDED)
                          .build())
                  .limits(
                      Limits.serverBuilder()
                          .deadlineCap(MethodSelector.of("*"), Duration.ofMillis(200))
                          .build())
                  .build())
          .build();

  @Test
  void capPassedIsDeadlineExceededInSimplifiedChineseWithErrorInfo() throws Exception {
    Metadata headers = new Metadata();
    headers.put(LocalesServerInterceptorTest.ACCEPT_LANGUAGE, "zh-CN");
    SimpleServiceGrpc.SimpleServiceBlockingStub stub =
        SimpleServiceGrpc.newBlockingStub(grpc.channel())
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));

    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> stub.unaryRpc(SimpleRequest.getDefaultInstance()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(e.getStatus().getDescription()).isEqualTo("服务器对此方法最多允许 200 毫秒。");
    com.google.rpc.Status details = Objects.requireNonNull(StatusProto.fromThrowable(e));
    LocalizedMessage localized = null;
    ErrorInfo info = null;
    for (Any any : details.getDetailsList()) {
      if (any.is(LocalizedMessage.class)) {
        localized = any.unpack(LocalizedMessage.class);
      } else if (any.is(ErrorInfo.class)) {
        info = any.unpack(ErrorInfo.class);
      }
    }
    assertThat(Objects.requireNonNull(localized).getLocale()).isEqualTo("zh-CN");
    assertThat(Objects.requireNonNull(info).getReason()).isEqualTo("DEADLINE_CAPPED");
    assertThat(info.getMetadataMap()).containsEntry("capMillis", "200");
  }
}
