package io.github.grpcmiddleware.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testsupport.Rpcs;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.MDC;

/**
 * The principal is in the MDC inside every callback and what the MDC held before is back after it:
 * removed when there was nothing, restored when an outer part had put a value.
 */
class PrincipalMdcTest {
  static final RecordingService service = new RecordingService();

  /** What the MDC key held just after each callback of the auth listener returned. */
  static final List<String> after = new CopyOnWriteArrayList<>();

  @org.junit.jupiter.api.extension.RegisterExtension
  static final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(service)
          .interceptor(
              new OuterMdcProbe(),
              Auth.serverBuilder()
                  .authenticator(Authenticators.bearerTokens(Map.of("alice-token", "alice")))
                  .principalInMdc(true)
                  .build())
          .build();

  @BeforeEach
  void reset() {
    service.mdcPrincipals.clear();
    after.clear();
  }

  @ParameterizedTest
  @EnumSource(Rpcs.class)
  void principalIsInTheMdcDuringCallbacksAndThePreviousValueAfter(Rpcs kind) throws Exception {
    Rpcs.Outcome outcome = Rpcs.call(grpc.channel(), Rpcs.bearer("Bearer alice-token"), kind);

    assertThat(outcome.code()).isEqualTo(Status.Code.OK);
    long deadline = System.nanoTime() + 5_000_000_000L; // onComplete may follow the client's end
    while (!after.contains("onComplete=<none>") && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(service.mdcPrincipals).isNotEmpty().containsOnly("alice");
    // onMessage runs with "outer" already in the MDC, every other callback with nothing.
    assertThat(after).contains("onHalfClose=<none>", "onComplete=<none>");
    assertThat(after).filteredOn(s -> s.startsWith("onMessage")).containsOnly("onMessage=outer");
    assertThat(after)
        .filteredOn(s -> !s.startsWith("onMessage"))
        .allMatch(s -> s.endsWith("=<none>"));
  }

  /** Sits outside auth: puts "outer" around onMessage and records the MDC after each callback. */
  static final class OuterMdcProbe implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      ServerCall.Listener<ReqT> inner = next.startCall(call, headers);
      record("startCall");
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT>(inner) {
        @Override
        public void onMessage(ReqT message) {
          MDC.put(AuthServerInterceptor.PRINCIPAL_MDC_KEY, "outer");
          try {
            super.onMessage(message);
            record("onMessage");
          } finally {
            MDC.remove(AuthServerInterceptor.PRINCIPAL_MDC_KEY);
          }
        }

        @Override
        public void onHalfClose() {
          super.onHalfClose();
          record("onHalfClose");
        }

        @Override
        public void onReady() {
          super.onReady();
          record("onReady");
        }

        @Override
        public void onComplete() {
          super.onComplete();
          record("onComplete");
        }
      };
    }

    private static void record(String callback) {
      String value = MDC.get(AuthServerInterceptor.PRINCIPAL_MDC_KEY);
      after.add(callback + "=" + (value == null ? "<none>" : value));
    }
  }
}
