package io.github.grpcmiddleware.benchmarks;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sends the headers our full chain adds, and nothing else: {@code traceparent} (new random ids per
 * call), {@code authorization} and {@code accept-language} on the request, {@code x-trace-id} (new
 * random id per call) and {@code content-language} on the response. Compared with the bare call and
 * the chain, it shows what the extra headers alone cost a transport such as Netty (HPACK, header
 * conversion), apart from the interceptors' own work.
 */
final class ChainHeadersOnly {
  private static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> ACCEPT_LANGUAGE =
      Metadata.Key.of("accept-language", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> X_TRACE_ID =
      Metadata.Key.of("x-trace-id", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> CONTENT_LANGUAGE =
      Metadata.Key.of("content-language", Metadata.ASCII_STRING_MARSHALLER);

  private ChainHeadersOnly() {}

  static ClientInterceptor client() {
    return new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
        return new SimpleForwardingClientCall<ReqT, RespT>(next.newCall(method, callOptions)) {
          @Override
          public void start(Listener<RespT> responseListener, Metadata headers) {
            headers.put(TRACEPARENT, "00-" + hex(32) + "-" + hex(16) + "-00");
            headers.put(AUTHORIZATION, "Bearer " + Stack.TOKEN);
            headers.put(ACCEPT_LANGUAGE, "zh-CN,en;q=0.8");
            super.start(responseListener, headers);
          }
        };
      }
    };
  }

  static ServerInterceptor server() {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        return next.startCall(
            new SimpleForwardingServerCall<ReqT, RespT>(call) {
              @Override
              public void sendHeaders(Metadata responseHeaders) {
                responseHeaders.put(X_TRACE_ID, hex(32));
                responseHeaders.put(CONTENT_LANGUAGE, "zh-CN");
                super.sendHeaders(responseHeaders);
              }
            },
            headers);
      }
    };
  }

  private static String hex(int digits) {
    StringBuilder out = new StringBuilder(digits);
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < digits; i++) {
      out.append(Character.forDigit(random.nextInt(16), 16));
    }
    return out.toString();
  }
}
