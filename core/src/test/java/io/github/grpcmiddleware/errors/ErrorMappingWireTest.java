package io.github.grpcmiddleware.errors;

import static io.github.grpcmiddleware.errors.ErrorTestSupport.CONTENT_LANGUAGE;
import static io.github.grpcmiddleware.errors.ErrorTestSupport.TRACE_ID;
import static io.github.grpcmiddleware.errors.ErrorTestSupport.detail;
import static io.github.grpcmiddleware.errors.ErrorTestSupport.detailTypes;
import static io.github.grpcmiddleware.errors.ErrorTestSupport.details;
import static io.github.grpcmiddleware.errors.ErrorTestSupport.encodedSize;
import static io.github.grpcmiddleware.errors.ErrorTestSupport.trailers;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.ErrorInfo;
import com.google.rpc.LocalizedMessage;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testsupport.Rpcs;
import io.github.grpcmiddleware.trace.TraceIdTestInterceptor;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What crosses a real HTTP/2 connection: encoding, the trailer budget, localized text. */
class ErrorMappingWireTest {

  static final String TRICKY = "用户 ✓ 😀 100% done\r\nline2\ttab %41 ü";

  /** Answers zh-CN for calls (any captured Context but ROOT), English for Context.ROOT. */
  static final MessageResolver CHINESE =
      (callContext, key, args) ->
          callContext == Context.ROOT
              ? LocalizedMessage.newBuilder().setLocale("en-US").setMessage("Not here").build()
              : LocalizedMessage.newBuilder().setLocale("zh-CN").setMessage("找不到资源").build();

  private final FailingService service = new FailingService();
  private final ExecutorService executor = Executors.newFixedThreadPool(4);

  @RegisterExtension final GrpcServerExtension grpc = GrpcServerExtension.builder().build();

  @AfterEach
  void stopExecutor() {
    executor.shutdownNow();
  }

  private ManagedChannel netty(ServerInterceptor mapping) throws IOException {
    io.grpc.Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .executor(executor)
            .addService(
                ServerInterceptors.intercept(
                    service, mapping, new TraceIdTestInterceptor(TRACE_ID)))
            .build()
            .start();
    grpc.register(server);
    return grpc.register(
        NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build());
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void nonAsciiDescriptionRoundTripsExactly(Rpcs rpc) throws Exception {
    service.failure =
        () -> ServiceException.builder(Status.Code.NOT_FOUND, "k").defaultMessage(TRICKY).build();
    ManagedChannel channel = netty(ErrorMapping.serverBuilder().build());

    StatusRuntimeException e = rpc.fail(channel);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(e.getStatus().getDescription()).isEqualTo(TRICKY);
    assertThat(detail(e, LocalizedMessage.class).getMessage()).isEqualTo(TRICKY);
    assertThat(details(e).getMessage()).isEqualTo(TRICKY);

    service.failure = () -> Status.ABORTED.withDescription(TRICKY).asRuntimeException();
    assertThat(rpc.fail(channel).getStatus().getDescription()).isEqualTo(TRICKY);
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void oversizedMessageAndDetailsAreCutToTheBudgetKeepingTheCode(Rpcs rpc) throws Exception {
    String huge = "错误😀".repeat(3000);
    service.failure =
        () -> {
          ServiceExceptionBuilder b =
              ServiceException.builder(Status.Code.INVALID_ARGUMENT, "k")
                  .defaultMessage(huge)
                  .errorInfo("TOO_BIG", "example.com", Collections.singletonMap("a", "b"));
          for (int i = 0; i < 300; i++) {
            b.fieldViolation("field" + i, "値が不正です " + i);
          }
          return b.build();
        };
    ManagedChannel channel = netty(ErrorMapping.serverBuilder().build());

    StatusRuntimeException e = rpc.fail(channel);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(encodedSize(e)).isLessThanOrEqualTo(ErrorMapping.DEFAULT_TRAILER_BUDGET);
    String description = e.getStatus().getDescription();
    assertThat(description).endsWith("...").hasSizeGreaterThan(20);
    assertThat(huge).startsWith(description.substring(0, description.length() - 3));
    assertThat(Character.isHighSurrogate(description.charAt(description.length() - 4))).isFalse();
    assertThat(detailTypes(e))
        .containsExactly("google.rpc.ErrorInfo", "google.rpc.LocalizedMessage");
    assertThat(detail(e, ErrorInfo.class).getReason()).isEqualTo("TOO_BIG");
    assertThat(detail(e, LocalizedMessage.class).getMessage()).isEqualTo(description);
  }

  @Test
  void smallBudgetDropsDetailsInOrderAndStillSendsTheCode() throws Exception {
    service.failure =
        () ->
            ServiceException.builder(Status.Code.OUT_OF_RANGE, "k")
                .defaultMessage("%".repeat(2000))
                .errorInfo("R", "d", Collections.singletonMap("k", "v".repeat(300)))
                .resourceInfo("t", "n", "o", "x".repeat(300))
                .build();
    ManagedChannel channel = netty(ErrorMapping.serverBuilder().trailerBudget(1024).build());

    StatusRuntimeException e = Rpcs.UNARY.fail(channel);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
    assertThat(encodedSize(e)).isLessThanOrEqualTo(1024);
    List<String> kept = detailTypes(e);
    assertThat(kept).doesNotContain("google.rpc.ResourceInfo");
    assertThat(e.getStatus().getDescription()).startsWith("%%%").endsWith("...");
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void descriptionIsLocalizedForTheCallerByDefault(Rpcs rpc) throws Exception {
    service.failure = () -> ServiceException.builder(Status.Code.NOT_FOUND, "user.gone").build();
    ManagedChannel channel = netty(ErrorMapping.serverBuilder().messageResolver(CHINESE).build());

    StatusRuntimeException e = rpc.fail(channel);

    assertThat(e.getStatus().getDescription()).isEqualTo("找不到资源");
    assertThat(detail(e, LocalizedMessage.class))
        .isEqualTo(LocalizedMessage.newBuilder().setLocale("zh-CN").setMessage("找不到资源").build());
    assertThat(trailers(e).get(CONTENT_LANGUAGE)).isEqualTo("zh-CN");
  }

  @Test
  void aip193StyleSendsTheDefaultLocaleDescriptionAndTheLocalizedDetail() throws Exception {
    service.failure = () -> ServiceException.builder(Status.Code.NOT_FOUND, "user.gone").build();
    ManagedChannel channel =
        netty(
            ErrorMapping.serverBuilder()
                .messageResolver(CHINESE)
                .localizedDescription(false)
                .build());

    StatusRuntimeException e = Rpcs.UNARY.fail(channel);

    assertThat(e.getStatus().getDescription()).isEqualTo("Not here");
    assertThat(detail(e, LocalizedMessage.class).getMessage()).isEqualTo("找不到资源");
    assertThat(trailers(e).get(CONTENT_LANGUAGE)).isEqualTo("zh-CN");
  }

  @Test
  void resolverWithoutTheKeyFallsBackToTheEnglishDefaults() throws Exception {
    MessageResolver empty = (callContext, key, args) -> null;
    ManagedChannel channel = netty(ErrorMapping.serverBuilder().messageResolver(empty).build());

    StatusRuntimeException e = Rpcs.UNARY.fail(channel);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription()).contains(TRACE_ID);
    assertThat(trailers(e).get(CONTENT_LANGUAGE)).isEqualTo("en");
  }
}
