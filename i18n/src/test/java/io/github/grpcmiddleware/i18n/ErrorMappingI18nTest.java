package io.github.grpcmiddleware.i18n;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.grpcmiddleware.auth.Auth;
import io.github.grpcmiddleware.auth.Authenticators;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.errors.ErrorReport;
import io.github.grpcmiddleware.errors.MessageKeys;
import io.github.grpcmiddleware.errors.ServiceException;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.text.MessageFormat;
import java.util.Collections;
import java.util.Iterator;
import java.util.Locale;
import java.util.Objects;
import java.util.PropertyResourceBundle;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Localized errors through a real server: trace -> locale -> error mapping -> service. */
class ErrorMappingI18nTest {

  private static final Locale[] SHIPPED = {
    Locale.ENGLISH,
    Locale.SIMPLIFIED_CHINESE,
    Locale.TRADITIONAL_CHINESE,
    Locale.JAPANESE,
    Locale.KOREAN,
    Locale.forLanguageTag("es"),
    Locale.FRENCH,
    Locale.GERMAN,
    Locale.forLanguageTag("pt-BR"),
    Locale.forLanguageTag("ru"),
  };
  private static final Metadata.Key<String> CONTENT_LANGUAGE =
      LocalesServerInterceptorTest.CONTENT_LANGUAGE;
  private static final Metadata.Key<String> TRACE_ID =
      Metadata.Key.of("x-trace-id", Metadata.ASCII_STRING_MARSHALLER);

  private static final LocalizedMessages MESSAGES =
      LocalizedMessages.builder().baseName("test/i18n/app").build();
  private static final ServerInterceptor LOCALE =
      Locales.serverBuilder().supported(SHIPPED).defaultLocale(Locale.ENGLISH).build();

  /** Fails as the request says: a bug, a ServiceException thrown or passed to onError. */
  static final class FailingService extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
      switch (request.getRequestMessage()) {
        case "missing-user":
          throw ServiceException.builder(Status.Code.NOT_FOUND, "user.notFound")
              .args(1234567)
              .defaultMessage("User {0,number,#} was not found.")
              .build();
        case "precondition":
          out.onError(
              ServiceException.builder(Status.Code.FAILED_PRECONDITION, "nobody.has.this").build());
          return;
        default:
          throw new IllegalStateException("secret internal detail");
      }
    }

    @Override
    public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
      out.onNext(SimpleResponse.newBuilder().setResponseMessage("first").build());
      throw new IllegalStateException("secret internal detail");
    }
  }

  @RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new FailingService())
          .interceptor(
              TraceIds.newServerInterceptor(),
              LOCALE,
              ErrorMapping.serverBuilder().messageResolver(MESSAGES).build())
          .build();

  @RegisterExtension
  static final GrpcServerExtension aip193 =
      GrpcServerExtension.builder()
          .service(new FailingService())
          .interceptor(
              TraceIds.newServerInterceptor(),
              LOCALE,
              ErrorMapping.serverBuilder()
                  .messageResolver(MESSAGES)
                  .localizedDescription(false)
                  .build())
          .build();

  @RegisterExtension
  static final GrpcServerExtension withAuth =
      GrpcServerExtension.builder()
          .service(new FailingService())
          .interceptor(
              TraceIds.newServerInterceptor(),
              LOCALE,
              ErrorMapping.serverBuilder().messageResolver(MESSAGES).build(),
              Auth.serverBuilder()
                  .authenticator(
                      Authenticators.bearerTokens(Collections.singletonMap("good-token", "ada")))
                  .build())
          .build();

  /** Supports plain {@code pt}; only the library's catalogs, which ship {@code pt_BR}. */
  @RegisterExtension
  static final GrpcServerExtension plainPortuguese =
      GrpcServerExtension.builder()
          .service(new FailingService())
          .interceptor(
              TraceIds.newServerInterceptor(),
              Locales.serverBuilder()
                  .supported(Locale.ENGLISH, Locale.forLanguageTag("pt"))
                  .defaultLocale(Locale.ENGLISH)
                  .build(),
              ErrorMapping.serverBuilder()
                  .messageResolver(LocalizedMessages.builder().build())
                  .build())
          .build();

  private final AtomicReference<Metadata> headers = new AtomicReference<>();
  private final AtomicReference<Metadata> trailers = new AtomicReference<>();

  private Channel channel(GrpcServerExtension server, String acceptLanguage) {
    Metadata metadata = new Metadata();
    metadata.put(LocalesServerInterceptorTest.ACCEPT_LANGUAGE, acceptLanguage);
    return server.channel(
        MetadataUtils.newCaptureMetadataInterceptor(headers, trailers),
        MetadataUtils.newAttachHeadersInterceptor(metadata));
  }

  private static StatusRuntimeException fail(Channel channel, String what) {
    return catchThrowableOfType(
        StatusRuntimeException.class,
        () ->
            SimpleServiceGrpc.newBlockingStub(channel)
                .unaryRpc(SimpleRequest.newBuilder().setRequestMessage(what).build()));
  }

  /** The text of a library key as written in the shipped catalog of {@code locale}. */
  static String shipped(Locale locale, String key, Object... args) throws Exception {
    String path =
        locale.equals(Locale.ENGLISH)
            ? LocalizedMessages.LIBRARY_ROOT
            : LocalizedMessages.LIBRARY_BASE_NAME + "_" + locale + ".properties";
    try (InputStream in = ErrorMappingI18nTest.class.getClassLoader().getResourceAsStream(path)) {
      PropertyResourceBundle bundle =
          new PropertyResourceBundle(
              new InputStreamReader(Objects.requireNonNull(in, path), StandardCharsets.UTF_8));
      return new MessageFormat(bundle.getString(key), locale).format(args);
    }
  }

  private Metadata trailers() {
    return Objects.requireNonNull(trailers.get());
  }

  @Test
  void everyShippedLocaleGetsItsOwnInternalErrorWithTheTraceId() throws Exception {
    for (Locale locale : SHIPPED) {
      String tag = locale.toLanguageTag();
      StatusRuntimeException e = fail(channel(grpc, tag), "bug");
      String traceId = trailers().get(TRACE_ID);
      assertThat(traceId).as(tag).isNotNull().hasSize(32);
      String expected = shipped(locale, MessageKeys.INTERNAL, traceId);
      ErrorReport report = ErrorReport.from(e);
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
      assertThat(e.getStatus().getDescription())
          .as(tag)
          .isEqualTo(expected)
          .doesNotContain("secret");
      assertThat(report.localizedMessage()).as(tag).isEqualTo(expected);
      assertThat(report.locale()).as(tag).isEqualTo(tag);
      assertThat(trailers().getAll(CONTENT_LANGUAGE)).as(tag).containsExactly(tag);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"pt", "pt-PT"})
  void aServiceSupportingPlainPortugueseSendsTheLibrarysBrazilianMessages(String acceptLanguage)
      throws Exception {
    Channel channel = channel(plainPortuguese, acceptLanguage);

    StatusRuntimeException e = fail(channel, "bug");

    String expected =
        shipped(Locale.forLanguageTag("pt-BR"), MessageKeys.INTERNAL, trailers().get(TRACE_ID));
    assertThat(e.getStatus().getDescription()).isEqualTo(expected);
    assertThat(ErrorReport.from(e).locale()).isEqualTo("pt-BR");
    assertThat(trailers().getAll(CONTENT_LANGUAGE)).containsExactly("pt-BR");
  }

  @Test
  void aip193KeepsTheDescriptionInTheDefaultLocale() throws Exception {
    StatusRuntimeException e = fail(channel(aip193, "zh-TW"), "bug");
    String traceId = trailers().get(TRACE_ID);
    ErrorReport report = ErrorReport.from(e);
    assertThat(e.getStatus().getDescription())
        .isEqualTo(shipped(Locale.ENGLISH, MessageKeys.INTERNAL, traceId));
    assertThat(report.localizedMessage())
        .isEqualTo(shipped(Locale.TRADITIONAL_CHINESE, MessageKeys.INTERNAL, traceId));
    assertThat(report.locale()).isEqualTo("zh-TW");
    assertThat(trailers().getAll(CONTENT_LANGUAGE)).containsExactly("zh-TW");
  }

  @Test
  void serviceExceptionArgumentsAreFormattedInTheCallersLanguage() {
    StatusRuntimeException e = fail(channel(grpc, "zh-CN"), "missing-user");
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(e.getStatus().getDescription()).isEqualTo("未找到用户 1234567。");
    assertThat(ErrorReport.from(e).locale()).isEqualTo("zh-CN");
    assertThat(trailers().getAll(CONTENT_LANGUAGE)).containsExactly("zh-CN");
  }

  @Test
  void contentLanguageNamesTheLocaleOfTheTextActuallySent() {
    // The service has no German for user.notFound: its English root answers, and says so.
    StatusRuntimeException e = fail(channel(grpc, "de"), "missing-user");
    assertThat(e.getStatus().getDescription()).isEqualTo("User 1234567 was not found.");
    assertThat(ErrorReport.from(e).locale()).isEqualTo("en");
    assertThat(trailers().getAll(CONTENT_LANGUAGE)).containsExactly("en");
  }

  @Test
  void unknownKeyFallsBackToTheCodesLocalizedText() throws Exception {
    StatusRuntimeException e = fail(channel(grpc, "ja"), "precondition");
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(e.getStatus().getDescription())
        .isEqualTo(shipped(Locale.JAPANESE, MessageKeys.forCode(Status.Code.FAILED_PRECONDITION)));
    assertThat(trailers().getAll(CONTENT_LANGUAGE)).containsExactly("ja");
  }

  @Test
  void afterHeadersBothHeadersAndTrailersSayTheLanguage() throws Exception {
    Iterator<SimpleResponse> responses =
        SimpleServiceGrpc.newBlockingStub(channel(grpc, "ko"))
            .serverStreamingRpc(SimpleRequest.getDefaultInstance());
    assertThat(responses.next().getResponseMessage()).isEqualTo("first");
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, responses::next);
    assertThat(e.getStatus().getDescription())
        .isEqualTo(shipped(Locale.KOREAN, MessageKeys.INTERNAL, trailers().get(TRACE_ID)));
    assertThat(Objects.requireNonNull(headers.get()).getAll(CONTENT_LANGUAGE))
        .containsExactly("ko");
    assertThat(trailers().getAll(CONTENT_LANGUAGE)).containsExactly("ko");
  }

  @ParameterizedTest
  @ValueSource(strings = {"en", "zh-CN", "zh-TW", "ja", "ko", "es", "fr", "de", "pt-BR", "ru"})
  void authRejectionsAreLocalized(String tag) throws Exception {
    StatusRuntimeException e = fail(channel(withAuth, tag), "bug");
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(e.getStatus().getDescription())
        .isEqualTo(shipped(Locale.forLanguageTag(tag), MessageKeys.AUTH_MISSING));
    assertThat(ErrorReport.from(e).locale()).isEqualTo(tag);
    assertThat(trailers().getAll(CONTENT_LANGUAGE)).containsExactly(tag);
  }

  @ParameterizedTest
  @ValueSource(strings = {"zh-TW", "ru", "fr"})
  void nonAsciiDescriptionsRoundTripOverNetty(String tag) throws Exception {
    Server server =
        grpc.register(
            NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(
                    ServerInterceptors.interceptForward(
                        new FailingService(),
                        TraceIds.newServerInterceptor(),
                        LOCALE,
                        ErrorMapping.serverBuilder().messageResolver(MESSAGES).build()))
                .build()
                .start());
    ManagedChannel netty =
        grpc.register(
            NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build());
    Metadata metadata = new Metadata();
    metadata.put(LocalesServerInterceptorTest.ACCEPT_LANGUAGE, tag);
    Channel channel =
        io.grpc.ClientInterceptors.intercept(
            netty,
            MetadataUtils.newAttachHeadersInterceptor(metadata),
            MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));
    StatusRuntimeException e = fail(channel, "bug");
    @Nullable String traceId = trailers().get(TRACE_ID);
    assertThat(e.getStatus().getDescription())
        .isEqualTo(shipped(Locale.forLanguageTag(tag), MessageKeys.INTERNAL, traceId));
    assertThat(trailers().getAll(CONTENT_LANGUAGE)).containsExactly(tag);
  }
}
