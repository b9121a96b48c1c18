package io.github.grpcmiddleware.chain;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.auth.Auth;
import io.github.grpcmiddleware.auth.Authenticators;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.TestCredentials;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.security.Principal;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

/**
 * Inside a chain, the trace and auth parts keep their per-call values in the call's one scope
 * rather than in Contexts of their own: what the handler, its own threads and captured Contexts see
 * must not change; when two different auth parts run (server-wide and per-service chains) the inner
 * one's principal wins, and the call keeps one trace id.
 */
class ChainCallValuesTest {

  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> X_TRACE_ID =
      Metadata.Key.of("x-trace-id", Metadata.ASCII_STRING_MARSHALLER);

  static final Map<String, String> seen = new ConcurrentHashMap<>();
  static final ExecutorService background = Executors.newSingleThreadExecutor();

  @RegisterExtension
  static final GrpcServerExtension single =
      GrpcServerExtension.builder()
          .service(
              ServerChain.intercept(
                  new Recording(),
                  ServerChain.builder()
                      .tracing(TraceIds.newServerInterceptor())
                      .auth(auth("chain-user"))
                      .build()))
          .build();

  /** A server-wide chain and a per-service chain, each with its own auth part. */
  @RegisterExtension
  static final GrpcServerExtension twice =
      GrpcServerExtension.builder()
          .interceptor(
              ServerChain.builder()
                  .tracing(TraceIds.newServerInterceptor())
                  .auth(auth("outer-user"))
                  .build())
          .service(
              ServerChain.intercept(
                  new Recording(),
                  ServerChain.builder()
                      .tracing(TraceIds.newServerInterceptor())
                      .auth(auth("inner-user"))
                      .build()))
          .build();

  @BeforeEach
  void clear() {
    seen.clear();
  }

  @AfterAll
  static void stopBackground() {
    background.shutdownNow();
  }

  @Test
  void handlerItsThreadsAndCapturedContextsSeeTraceAndPrincipal() {
    AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
    String reply = call(single, responseHeaders);

    assertThat(reply).isEqualTo("ok");
    assertThat(seen)
        .containsEntry("current", TRACE_ID)
        .containsEntry("mdc", TRACE_ID)
        .containsEntry("principal", "chain-user")
        .containsEntry("fromContext", TRACE_ID)
        .containsEntry("principalFromContext", "chain-user")
        .containsEntry("wrapped.current", TRACE_ID)
        .containsEntry("wrapped.mdc", TRACE_ID)
        .containsEntry("wrapped.principal", "chain-user")
        .containsEntry("callInfo.principalName", "chain-user");
    assertThat(Objects.requireNonNull(responseHeaders.get()).get(X_TRACE_ID)).isEqualTo(TRACE_ID);
    assertThat(MDC.get("traceId")).isNull();
  }

  @Test
  void whenAPartRunsTwiceTheInnerOneWins() {
    String reply = call(twice, new AtomicReference<>());

    assertThat(reply).isEqualTo("ok");
    assertThat(seen)
        .containsEntry("current", TRACE_ID)
        .containsEntry("principal", "inner-user")
        .containsEntry("principalFromContext", "inner-user")
        .containsEntry("wrapped.principal", "inner-user");
  }

  @Test
  void outsideACallNothingIsFound() {
    assertThat(TraceIds.current()).isNull();
    assertThat(Auth.principal()).isNull();
    assertThat(TraceIds.fromContext(Context.ROOT)).isNull();
    assertThat(Auth.principal(Context.ROOT)).isNull();
  }

  private static String call(GrpcServerExtension server, AtomicReference<Metadata> headers) {
    Metadata traceparent = new Metadata();
    traceparent.put(TRACEPARENT, "00-" + TRACE_ID + "-00f067aa0ba902b7-01");
    return SimpleServiceGrpc.newBlockingStub(server.channel())
        .withCallCredentials(TestCredentials.bearer("token"))
        .withInterceptors(
            MetadataUtils.newAttachHeadersInterceptor(traceparent),
            MetadataUtils.newCaptureMetadataInterceptor(headers, new AtomicReference<>()))
        .unaryRpc(SimpleRequest.newBuilder().setRequestMessage("x").build())
        .getResponseMessage();
  }

  private static io.grpc.ServerInterceptor auth(String principal) {
    return Auth.serverBuilder()
        .authenticator(Authenticators.bearerTokens(Collections.singletonMap("token", principal)))
        .build();
  }

  /** Records what the handler and a task it hands to another thread see. */
  static final class Recording extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
      put("current", TraceIds.current());
      put("mdc", MDC.get("traceId"));
      put("principal", name(Auth.principal()));
      Context captured = Context.current();
      put("fromContext", TraceIds.fromContext(captured));
      put("principalFromContext", name(Auth.principal(captured)));
      ServerCallScope info = ServerCallScope.current();
      Principal scoped = info == null ? null : info.principal();
      put("callInfo.principalName", scoped == null ? null : scoped.getName());
      CountDownLatch done = new CountDownLatch(1);
      TraceIds.wrap(background)
          .execute(
              () -> {
                put("wrapped.current", TraceIds.current());
                put("wrapped.mdc", MDC.get("traceId"));
                put("wrapped.principal", name(Auth.principal()));
                done.countDown();
              });
      try {
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      responses.onNext(SimpleResponse.newBuilder().setResponseMessage("ok").build());
      responses.onCompleted();
    }

    private static void put(String key, @Nullable String value) {
      seen.put(key, value == null ? "<null>" : value);
    }

    private static @Nullable String name(@Nullable Principal principal) {
      return principal == null ? null : principal.getName();
    }
  }
}
