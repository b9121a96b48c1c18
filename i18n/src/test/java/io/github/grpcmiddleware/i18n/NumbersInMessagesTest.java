package io.github.grpcmiddleware.i18n;

import static io.github.grpcmiddleware.testing.GrpcAssertions.assertThatCall;

import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.limits.Limits;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A number the library puts into a message is written as digits, in every language: docs/limits.md
 * promises "at most N ms", and MessageFormat given a number would send "1,200" (English) or "1.200"
 * (German). The validation module's rule values are checked in its ValidationMessagesTest.
 */
class NumbersInMessagesTest {
  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new DeadlineCapI18nTest.SilentService())
          .interceptor(
              ServerChain.builder()
                  .locale(Locales.newServerInterceptor(Locale.ENGLISH, Locale.GERMAN))
                  .errorMapping(
                      ErrorMapping.serverBuilder()
                          .messageResolver(LocalizedMessages.builder().build())
                          .build())
                  .limits(
                      Limits.serverBuilder()
                          .deadlineCap(MethodSelector.of("*"), Duration.ofMillis(1200))
                          .build())
                  .build())
          .build();

  private static SimpleServiceGrpc.SimpleServiceBlockingStub stub(String language) {
    Metadata headers = new Metadata();
    headers.put(LocalesServerInterceptorTest.ACCEPT_LANGUAGE, language);
    return SimpleServiceGrpc.newBlockingStub(grpc.channel())
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  @Test
  void theDeadlineCapIsWrittenWithoutDigitGroupingInEnglishAndGerman() {
    assertThatCall(() -> stub("en").unaryRpc(SimpleRequest.getDefaultInstance()))
        .failsWith(Status.Code.DEADLINE_EXCEEDED)
        .withDescription("The server allows at most 1200 ms for this method.")
        .withErrorInfoMetadata("capMillis", "1200");
    assertThatCall(() -> stub("de").unaryRpc(SimpleRequest.getDefaultInstance()))
        .failsWith(Status.Code.DEADLINE_EXCEEDED)
        .withDescription("Der Server erlaubt für diese Methode höchstens 1200 ms.");
  }
}
