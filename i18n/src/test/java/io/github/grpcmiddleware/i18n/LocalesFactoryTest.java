package io.github.grpcmiddleware.i18n;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link Locales#newServerInterceptor(Locale...)}: the defaults shape of the locale part. */
class LocalesFactoryTest {

  @RegisterExtension
  final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new RecordingService())
          .interceptor(Locales.newServerInterceptor(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE))
          .build();

  private String seenFor(String acceptLanguage) {
    Metadata metadata = new Metadata();
    metadata.put(LocalesServerInterceptorTest.ACCEPT_LANGUAGE, acceptLanguage);
    return SimpleServiceGrpc.newBlockingStub(
            grpc.channel(MetadataUtils.newAttachHeadersInterceptor(metadata)))
        .unaryRpc(SimpleRequest.getDefaultInstance())
        .getResponseMessage();
  }

  @Test
  void resolvesAmongTheGivenLocalesWithTheFirstAsDefault() {
    assertThat(seenFor("zh-CN,en;q=0.5")).isEqualTo("zh-CN|null");
    assertThat(seenFor("fr")).isEqualTo("en|null");
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose
  void noLocaleFailsAtOnceNamingTheSetting() {
    assertThatThrownBy(Locales::newServerInterceptor)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("supported: [] (expected: at least one locale)");
    assertThatThrownBy(() -> Locales.newServerInterceptor(Locale.ENGLISH, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("supported[1]");
  }
}
